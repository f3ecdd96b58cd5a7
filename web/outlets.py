"""Slack and Teams outlets in the running app: the scheduled digests, the instant ugly posts,
and their health for the console.

A message that fails (web/courier.py says how it is retried) is given up until the next digest,
or, for instant posts, until a later poll with the comment kept. Every outcome is written to
the store (`outlets` table), through the app's one writer.
"""

from __future__ import annotations

import logging
import os
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ticker import outlets
from ticker.digest import Cursor, digest, new_ugly
from ticker.outlets import DAYS, Outlet
from ticker.protocol import Item
from ticker.store import NotFound
from web import slack, teams
from web.courier import Courier, Undelivered

if TYPE_CHECKING:
    from web.state import AppState

log = logging.getLogger("voc_ticker.outlets")
SKIPPED = (400, 413)  # the platform refused this message itself: a later one may pass
POLL_JOB = "outlets:ugly"


def _courier(state: AppState) -> Courier:
    if state.courier is None:
        raise NotFound("no outlets are configured ([outlets.NAME] in the config file)")
    return state.courier


async def _deliver(
    state: AppState, outlet: Outlet, payload: dict[str, Any], retry_in: float | None
) -> Undelivered | None:
    """Post and record the outcome; the failure, if it failed."""
    try:
        await _courier(state).post(outlet, payload)
    except Undelivered as exc:
        problem = str(exc)
        log.warning("outlet %s: %s", outlet.name, problem)
        await state.write(lambda s: outlets.failed(s, outlet.name, problem, retry_in))
        return exc
    await state.write(lambda s: outlets.sent(s, outlet.name))
    log.info("outlet %s: sent", outlet.name)
    return None


async def send_digest(state: AppState, name: str, due: str | None = None) -> bool:
    """Build and post the outlet's digest; with `due` (a scheduled run), only if no other
    process sent that one. True when it arrived."""
    outlet = state.outlets[name]
    if due is not None and not await state.write(lambda s: outlets.claim_digest(s, name, due)):
        return False
    days = outlet.digest.days if outlet.digest else 1
    chars, at = state.settings.display_chars, datetime.now(UTC)
    try:
        made = await state.readers.run(
            lambda s: digest(s, outlet.feed, days, chars, outlet.examples, at)
        )
    except NotFound:
        problem = f"no feed named {outlet.feed!r}: define it, or change the feed"
        await state.write(lambda s: outlets.failed(s, name, problem, None))
        return False
    builder = slack.digest_message if outlet.kind == "slack" else teams.digest_message
    return await _deliver(state, outlet, builder(made, outlet.zone), None) is None


def _ugly_message(outlet: Outlet, title: str, item: Item) -> dict[str, Any]:
    builder = slack.ugly_message if outlet.kind == "slack" else teams.ugly_message
    return builder(title, item)


async def post_ugly(state: AppState) -> None:
    """One poll: post each instant outlet's new ugly comments, in order, each once."""
    kept = await state.readers.run(outlets.states)
    moment = datetime.now(UTC).isoformat(timespec="seconds")
    for outlet in state.outlets.values():
        row = kept.get(outlet.name, {})
        waiting = row.get("next_attempt_at") and row["next_attempt_at"] > moment
        if outlet.instant_ugly and not waiting:  # else backing off after a failure
            await _post_new(state, outlet, row)


async def _post_new(state: AppState, outlet: Outlet, row: dict[str, Any]) -> None:
    """The outlet's new ugly comments, oldest first.

    The cursor is moved past a comment before it is posted (so that of several server
    processes only one posts it) and put back if the post fails, so it is tried again later;
    a comment the platform refuses as such (400, 413) is passed over, its error kept.
    """
    name, chars = outlet.name, state.settings.display_chars
    try:
        feed = await state.readers.run(lambda s: s.feed(outlet.feed))
    except NotFound:
        return  # the digest and the console say so
    at: Cursor = (
        await state.write(lambda s: outlets.cursor(s, name))
        if row.get("after_rowid") is None
        else (int(row["after_rowid"]), int(row["after_log"]))
    )
    found, end = await state.readers.run(lambda s: new_ugly(s, feed, at, chars))
    retry_in = _courier(state).retry_seconds * 2 ** int(row.get("failures") or 0)

    async def moved(old: Cursor, new: Cursor) -> bool:
        return await state.write(lambda s: outlets.advance(s, name, old, new))

    for step, item in found:
        if not await moved(at, step):
            return  # another process is posting these
        failure = await _deliver(state, outlet, _ugly_message(outlet, feed.title, item), retry_in)
        if failure is not None and failure.status not in SKIPPED:
            await moved(step, at)
            return
        at = step
    if end != at:
        await moved(at, end)


async def _scheduled_digest(state: AppState, name: str) -> None:
    due = datetime.now(UTC).replace(second=0, microsecond=0).isoformat()
    try:
        await send_digest(state, name, due)
    except Exception:  # a bug in one digest must not end the schedule
        log.exception("outlet %s: the digest failed", name)


async def _scheduled_poll(state: AppState) -> None:
    try:
        await post_ugly(state)
    except Exception:
        log.exception("outlets: posting new ugly comments failed")


def start(state: AppState) -> AsyncIOScheduler | None:
    """Add each outlet's digest job and the instant poller to the app's scheduler (making one
    if the app has none yet); the scheduler made here, for the caller to stop, or None."""
    if not state.outlets:
        return None
    made = None
    if state.scheduler is None:
        state.scheduler = made = AsyncIOScheduler(timezone=UTC)
    for o in state.outlets.values():
        if o.digest is not None:
            day = "*" if o.digest.weekday is None else DAYS[o.digest.weekday]
            trigger = CronTrigger(
                day_of_week=day, hour=o.digest.hour, minute=o.digest.minute, timezone=o.zone
            )
            state.scheduler.add_job(
                _scheduled_digest,
                trigger,
                args=[state, o.name],
                id=f"outlet:{o.name}",
                max_instances=1,
                coalesce=True,
                misfire_grace_time=3600,  # a server restarted at 09:02 still sends 09:00's
            )
    if any(o.instant_ugly for o in state.outlets.values()):
        state.scheduler.add_job(
            _scheduled_poll,
            IntervalTrigger(seconds=_courier(state).poll_seconds, timezone=UTC),
            args=[state],
            id=POLL_JOB,
            max_instances=1,
            coalesce=True,
            next_run_time=datetime.now(UTC),
        )
    if made is not None:
        made.start()
    return made


async def health(state: AppState) -> list[dict[str, Any]]:
    """Each outlet's state as the console shows it, with its next digest and whether a
    message is on its way now."""
    kept = await state.readers.run(outlets.states)
    feeds = await state.readers.run(lambda s: {f.name for f in s.feeds()})
    nexts: dict[str, str | None] = {}
    for name in state.outlets:
        job = state.scheduler.get_job(f"outlet:{name}") if state.scheduler else None
        when = job.next_run_time if job is not None else None
        nexts[name] = when.astimezone(UTC).isoformat(timespec="seconds") if when else None
    rows = outlets.health(state.outlets, kept, os.environ, nexts, feeds)
    sending = state.courier.sending if state.courier else set()
    for row in rows:
        row["sending"] = row["name"] in sending
    return rows
