"""The curation log as a person reads it: newest first, filtered, a page at a time, or as CSV.

Every event says who, when, what, on which comment, the before and after, and why; an event
that is still the latest on its comment can be undone (ticker/curation.py).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ticker.feeds import FeedFilter
from ticker.queue import QueryError, feed_scope, whole_number
from ticker.store import Store

PAGE = 100
MAX_PAGE = 1000
CSV_COLUMNS = ("id", "at", "actor", "action", "verbatim_id", "source", "reason", "before", "after")


@dataclass(frozen=True)
class LogQuery:
    actor: str | None = None
    action: str | None = None
    verbatim: str | None = None
    feed: FeedFilter | None = None  # events on the comments this feed's filter takes
    since: str | None = None
    until: str | None = None
    before: int | None = None
    limit: int = PAGE

    @classmethod
    def parse(cls, params: Mapping[str, str], feed: FeedFilter | None = None) -> LogQuery:
        def number(name: str) -> int | None:
            raw = params.get(name) or None
            return None if raw is None else whole_number(name, raw)

        limit = number("limit") or PAGE
        if not 1 <= limit <= MAX_PAGE:
            raise QueryError(f"limit is 1 to {MAX_PAGE}")
        return cls(
            actor=params.get("actor") or None,
            action=params.get("action") or None,
            verbatim=params.get("verbatim") or None,
            feed=feed,
            since=params.get("since") or None,
            until=params.get("until") or None,
            before=number("before"),
            limit=limit,
        )


def events(store: Store, q: LogQuery, page: bool = True) -> dict[str, Any]:
    """Events newest first, each with whether it may still be undone."""
    where: list[str] = ["1"]
    args: list[Any] = []
    for column, value in (("l.actor", q.actor), ("l.action", q.action)):
        if value:
            where.append(f"{column} = ?")
            args.append(value)
    if q.verbatim:
        where.append("l.verbatim_id = ?")
        args.append(q.verbatim)
    if q.since:
        where.append("l.at >= ?")
        args.append(q.since)
    if q.until:
        where.append("l.at < ?")
        args.append(q.until[:10] + "~")
    if q.before is not None:
        where.append("l.id < ?")
        args.append(q.before)
    if q.feed is not None:
        scope, values = feed_scope(q.feed)
        where += scope
        args += values
    limit = f"LIMIT {q.limit + 1}" if page else ""
    sql = (
        "SELECT l.*, v.source, (SELECT max(id) FROM curation_log m WHERE m.verbatim_id = "
        "l.verbatim_id) AS latest FROM curation_log l LEFT JOIN verbatims v ON v.id = "
        f"l.verbatim_id WHERE {' AND '.join(where)} ORDER BY l.id DESC {limit}"
    )
    rows = [_event(r) for r in store.db.query(sql, args)]
    more = page and len(rows) > q.limit
    rows = rows[: q.limit] if page else rows
    return {"items": rows, "next": rows[-1]["id"] if more else None}


def _event(r: dict[str, Any]) -> dict[str, Any]:
    detail = json.loads(r["detail"] or "{}")
    return {
        "id": r["id"],
        "at": r["at"],
        "actor": r["actor"],
        "action": r["action"],
        "verbatim_id": r["verbatim_id"],
        "source": r["source"],
        "batch": r["batch"],
        "reason": detail.get("reason", ""),
        "before": detail.get("before", {}),
        "after": detail.get("after", {}),
        "detail": {k: v for k, v in detail.items() if k not in ("before", "after", "reason")},
        "undoable": r["latest"] == r["id"] and r["action"] != "edit",
    }


def as_csv(items: list[dict[str, Any]]) -> str:
    """The events as CSV a spreadsheet opens; cells that a spreadsheet would run as a formula
    (=, +, -, @ first) are prefixed with an apostrophe (OWASP: CSV injection)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for e in items:
        row = [
            e["id"],
            e["at"],
            e["actor"],
            e["action"],
            e["verbatim_id"],
            e["source"] or "",
            e["reason"],
            json.dumps(e["before"], ensure_ascii=False),
            json.dumps(e["after"], ensure_ascii=False),
        ]
        writer.writerow([defused(str(c)) for c in row])
    return out.getvalue()


def defused(cell: str) -> str:
    """A cell a spreadsheet would run as a formula, made text (OWASP: CSV injection)."""
    return "'" + cell if cell[:1] in ("=", "+", "-", "@", "\t", "\r") else cell
