"""Qualtrics v3 response exports, pulled: start an export, poll its progress, download the zip.

The zip holds the same CSV a person downloads, so it is read by the same code as
`voc-ticker ingest` (ingest/qualtrics.py: open-text questions from their ImportIds, NPS from the
`_NPS_GROUP` twin, previews and tests skipped). Each pull exports the responses recorded from
the cursor (`startDate`, inclusive) to the moment the pull started (`endDate`, exclusive), in
UTC, less five minutes for responses still being recorded; that moment becomes the cursor,
committed with the rows, so pulls neither overlap nor leave a gap. The account's datacenter is
the source's `url` (https://iad1.qualtrics.com).
"""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx

from ingest.adapter import Pull
from ingest.api import Page, PullError, Sleep, as_json, fetch, get_json
from ingest.columns import Mapping, MappingError
from ingest.decode import UnreadableFile
from ingest.files import parse_export
from ingest.survey import QUESTION
from ticker.pipeline import Row
from ticker.records import Scale, Verbatim
from ticker.sources import Source

POLLS = 120  # about ten minutes of polling before a pull gives the export up
LAG = timedelta(minutes=5)  # a response recorded just now may not be exportable yet


def now() -> datetime:
    """The pull's moment (a test sets it to move time on)."""
    return datetime.now(UTC)


def pages(
    source: Source, token: str, cursor: str | None, client: httpx.Client, sleep: Sleep = time.sleep
) -> Iterator[Page]:
    """One page: every response recorded since the cursor, from one export."""
    base = f"{source.url}/API/v3/surveys/{source.survey}/export-responses"
    auth = {"headers": {"X-API-TOKEN": token}}
    end = (now().astimezone(UTC) - LAG).strftime("%Y-%m-%dT%H:%M:%SZ")
    asked: dict[str, Any] = {"format": "csv", "timeZone": "UTC", "endDate": end}
    if cursor:
        asked["startDate"] = cursor
    started = as_json(fetch(client, "POST", base, sleep, "Qualtrics", json=asked, **auth))
    progress = _result(started).get("progressId")
    if not progress:
        raise PullError("schema", "the export was started but no progressId came back")
    file_id = _wait_for_file(client, f"{base}/{progress}", sleep, auth)
    zipped = fetch(client, "GET", f"{base}/{file_id}/file", sleep, "Qualtrics", **auth).content
    name, text = _csv_in(zipped)
    fields = tuple(name for _, name in source.meta or ())
    chosen = Mapping(
        score=source.score,
        scale=cast(Scale | None, source.scale),
        meta=(*fields, QUESTION) if source.meta is not None else None,
    )
    try:
        export = parse_export(text, Path(name), source.name, chosen, "qualtrics", texts=source.text)
    except (UnreadableFile, MappingError) as exc:
        raise PullError("schema", f"the export {name}: {exc}; has the survey changed?") from None
    rows: list[Row] = []
    empty = 0
    for line, record in export.records:
        row = export.convert(record, line)
        if row is None:
            empty += 1
        elif isinstance(row, Verbatim):
            rows.append(replace(row, meta=source.pick(row.meta, row.meta)))
        else:
            rows.append(row)
    yield Page(rows, end, empty)


def _result(body: Any) -> dict[str, Any]:
    result = body.get("result") if isinstance(body, dict) else None
    if not isinstance(result, dict):
        raise PullError("schema", "the answer has no result; has the API changed?")
    return result


def _wait_for_file(client: httpx.Client, url: str, sleep: Sleep, auth: dict[str, Any]) -> str:
    """Poll until the export is complete (by its status: a failed one is 100 % too)."""
    for attempt in range(POLLS):
        result = _result(get_json(client, url, {}, sleep, "Qualtrics", **auth))
        status = result.get("status")
        if status == "complete" and result.get("fileId"):
            return str(result["fileId"])
        if status == "failed":
            raise PullError(
                "unavailable", "Qualtrics says the export failed; the next pull asks again"
            )
        sleep(min(1.0 + attempt, 5.0))
    raise PullError("unavailable", f"the export was not ready after {POLLS} polls")


def _csv_in(zipped: bytes) -> tuple[str, str]:
    """The CSV inside the export's zip, whatever it is named."""
    try:
        with zipfile.ZipFile(io.BytesIO(zipped)) as archive:
            name = next(n for n in archive.namelist() if n.lower().endswith(".csv"))
            data = archive.read(name)
    except (zipfile.BadZipFile, StopIteration):
        raise PullError("schema", "the export file is not a zip holding a CSV") from None
    try:
        return name, data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise PullError("schema", f"{name} in the export is not UTF-8") from None


ADAPTERS = (
    Pull(
        "qualtrics",
        pages,
        needs={"url": "https://iad1.qualtrics.com (your datacenter)", "survey": "SV_…"},
    ),
)
