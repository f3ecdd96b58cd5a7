"""Pulling a source from its platform's API: page by page, each page's cursor with its rows.

A pull killed half-way resumes from the last page it stored: nothing is lost and, since rows are
keyed by the platform's ids, nothing is stored twice. A failure is recorded on the source for
`voc-ticker sources`; an authentication failure stops the pull until someone fixes it.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

import httpx

from ingest import delighted, qualtrics_api, surveymonkey, typeform, zendesk
from ingest.api import Page, PullError
from ticker.pipeline import Pipeline, numbered
from ticker.sources import Source

Pages = Callable[[Source, str, str | None, httpx.Client, Callable[[float], None]], Iterator[Page]]
ADAPTERS: dict[str, Pages] = {
    "zendesk": zendesk.pages,
    "delighted": delighted.pages,
    "typeform": typeform.pages,
    "surveymonkey": surveymonkey.pages,
    "qualtrics": qualtrics_api.pages,
}


@dataclass
class PullReport:
    pages: int = 0
    added: int = 0
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
    store, name = pipeline.store, source.name
    store.ensure_source(name, source.adapter)
    report = PullReport()
    try:
        for page in ADAPTERS[source.adapter](
            source, source.secret(env), store.cursor(name), client, sleep
        ):
            part = pipeline.ingest(
                name, source.adapter, "api", numbered(page.rows), cursor=page.cursor
            )
            if not page.rows and page.cursor:
                store.save_cursor(name, page.cursor)  # an empty page still moves the cursor
            report.pages += 1
            report.added += part.added
            report.quarantined += part.newly_quarantined
            report.skipped += page.skipped
    except PullError as exc:
        store.source_failed(name, f"{exc.kind}: {exc}")
        raise
    except Exception as exc:  # a bug, or an answer no adapter foresaw: still shown as failed
        store.source_failed(name, f"error: {type(exc).__name__}: {exc}"[:300])
        raise
    store.source_pulled(name, report.added, report.quarantined)
    return report
