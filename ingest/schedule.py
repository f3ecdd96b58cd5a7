"""Scheduled pulls (APScheduler 3): each API source on its interval or cron, in the server
process or in `voc-ticker worker` (when several server processes share one database).

A pull runs in a thread (its HTTP waits and its tagging off the event loop), one at a time per
source, and writes through the process's one writer; a late run is coalesced, not stacked.
An authentication failure pauses that source's job: retrying a
refused token every few minutes helps nobody, so it waits for someone to fix it and restart.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from signal import SIGINT, SIGTERM

import httpx
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ingest.api import PullError
from ingest.pull import pull
from ingest.registry import PULLED
from ticker.pipeline import Pipeline
from ticker.settings import SettingsError
from ticker.sources import Source

log = logging.getLogger("voc_ticker.scheduler")


def start(pipeline: Pipeline, sources: dict[str, Source]) -> AsyncIOScheduler | None:
    """Schedule every API source that has `every` or `cron`; None when there are none."""
    scheduled = [s for s in sources.values() if s.adapter in PULLED and (s.every or s.cron)]
    if not scheduled:
        return None
    scheduler = AsyncIOScheduler(timezone=UTC)
    for source in scheduled:
        trigger = (
            CronTrigger.from_crontab(source.cron, timezone=UTC)
            if source.cron
            else IntervalTrigger(seconds=source.every or 0, timezone=UTC)
        )
        scheduler.add_job(
            _run,
            trigger,
            args=[scheduler, pipeline, source],
            id=source.name,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    scheduler.start()
    return scheduler


async def _run(scheduler: AsyncIOScheduler, pipeline: Pipeline, source: Source) -> None:
    try:
        await asyncio.to_thread(pull_once, pipeline, source)
    except PullError as exc:
        log.warning("pull %s failed: %s", source.name, exc)  # recorded on the source too
        if exc.kind == "auth":
            scheduler.pause_job(source.name)
    except Exception:  # a bug in one pull must not end the schedule
        log.exception("pull %s failed", source.name)


def pull_once(pipeline: Pipeline, source: Source) -> None:
    """One pull, in the calling thread."""
    with httpx.Client(timeout=30) as client:
        report = pull(pipeline, source, client)
    log.info("pulled %s: %d page(s), %d added", source.name, report.pages, report.added)


async def work(pipeline: Pipeline, sources: dict[str, Source]) -> None:
    """`voc-ticker worker`: run the scheduled pulls until SIGINT or SIGTERM."""
    scheduler = start(pipeline, sources)
    if scheduler is None:
        raise SettingsError("no source has `every` or `cron`: there is nothing to schedule")
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signal in (SIGINT, SIGTERM):
        loop.add_signal_handler(signal, stop.set)
    log.info("worker: pulling %s", ", ".join(job.id for job in scheduler.get_jobs()))
    await stop.wait()
    scheduler.shutdown(wait=False)


def next_runs(scheduler: AsyncIOScheduler | None) -> dict[str, str | None]:
    """When each scheduled source pulls next (None: paused after an authentication failure)."""
    if scheduler is None:
        return {}
    return {
        job.id: job.next_run_time.isoformat(timespec="seconds") if job.next_run_time else None
        for job in scheduler.get_jobs()
    }
