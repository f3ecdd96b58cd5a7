"""Pulling a source from its platform's API: page by page, each page's cursor with its rows.

A pull killed half-way resumes from the last page it stored: nothing is lost and, since rows are
keyed by the platform's ids, nothing is stored twice. A failure is recorded on the source for
`voc-ticker sources`; an authentication failure stops the pull until someone fixes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import partial

import httpx

from ingest.api import PullError
from ingest.registry import PULLED
from ticker.pipeline import Pipeline, numbered
from ticker.sources import Source
from ticker.store import Store


@dataclass
class PullReport:
    pages: int = 0
    added: int = 0
    updated: int = 0
    skipped: int = 0
    quarantined: int = 0


def pull(
    pipeline: Pipeline,
    source: Source,
    client: httpx.Client,
    sleep: Callable[[float], None] = time.sleep,
    env: Mapping[str, str] | None = None,
) -> PullReport:
    """Fetch everything new from the source; raises PullError (recorded on the source)."""
    name, writes = source.name, pipeline.writes
    writes.write(lambda store: store.ensure_source(name, source.adapter))
    report = PullReport()
    try:
        for page in PULLED[source.adapter].pages(
            source,
            source.secret(env),
            writes.write(lambda store: store.cursor(name)),
            client,
            sleep,
        ):
            part = pipeline.ingest(
                name, source.adapter, "api", numbered(page.rows), cursor=page.cursor
            )
            if not page.rows and page.cursor:  # an empty page still moves the cursor
                writes.write(partial(_save_cursor, name, page.cursor))
            report.pages += 1
            report.added += part.added
            report.updated += part.updated
            report.quarantined += part.newly_quarantined
            report.skipped += page.skipped
    except PullError as exc:
        writes.write(partial(_failed, name, f"{exc.kind}: {exc}"))
        raise
    except Exception as exc:  # a bug, or an answer no adapter foresaw: still shown as failed
        writes.write(partial(_failed, name, f"error: {type(exc).__name__}: {exc}"[:300]))
        raise
    writes.write(lambda store: store.source_pulled(name, report.added, report.quarantined))
    return report


def _save_cursor(name: str, cursor: str, store: Store) -> None:
    store.save_cursor(name, cursor)


def _failed(name: str, error: str, store: Store) -> None:
    store.source_failed(name, error)
