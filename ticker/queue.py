"""The curators' queue: comments newest first, filtered and searched, a page at a time.

Pages are keyset pages (`before` a rowid), never OFFSET, so the hundredth page costs what the
first does. Full-text search is SQLite FTS5 over the text curators see (personal data masked),
walked newest first and stopped at the page size. Each card says why the comment is where it is.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ticker import masks
from ticker.feeds import FeedFilter
from ticker.records import ALL_BUCKETS, SCALES
from ticker.rows import shown_column
from ticker.rules import ACTOR, HELD, PAST
from ticker.store import Store

STATES = ("pending", "approved", "hidden")
REASONS = ("profanity", "mixed", "untagged language", HELD)
FLAG_WORDS = {
    "profanity": "swearing",
    "mixed": "the score and the words disagree",
    "untagged language": "a language the tagger cannot read",
    HELD: "a moderation rule",
}
PAGE = 50
MAX_PAGE = 200
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
_WORD = re.compile(r"\w+", re.UNICODE)


class QueryError(ValueError):
    """A filter that cannot be used; the message names the parameter and what it takes."""


_WHOLE = re.compile(r"[0-9]{1,18}")  # ASCII digits only ("²" is a digit to str.isdigit)


def whole_number(name: str, raw: str) -> int:
    """A parameter's whole number, one SQLite's integers hold (under 10^18)."""
    if not _WHOLE.fullmatch(raw):
        raise QueryError(f"{name}={raw[:40]!r} is not a whole number under 10^18")
    return int(raw)


@dataclass(frozen=True)
class Query:
    states: tuple[str, ...] = ()
    buckets: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()
    language: str | None = None
    min_score: float | None = None
    max_score: float | None = None
    since: str | None = None  # given (or received) on or after this date
    until: str | None = None  # … and on or before
    meta: dict[str, str] = field(default_factory=dict)
    text: str = ""
    before: int | None = None  # the page after the one that ended at this rowid
    limit: int = PAGE

    @classmethod
    def parse(cls, params: Mapping[str, list[str]]) -> Query:
        """A query from URL parameters (each may repeat); QueryError names a bad one."""

        def many(name: str, allowed: tuple[str, ...] | None = None) -> tuple[str, ...]:
            values = tuple(v for raw in params.get(name, []) for v in raw.split(",") if v)
            for v in values:
                if allowed is not None and v not in allowed:
                    raise QueryError(f"{name}={v!r} is not one of {', '.join(allowed)}")
            return values

        def one(name: str) -> str | None:
            values = [v for v in params.get(name, []) if v != ""]
            return values[-1] if values else None

        def number(name: str, kind: type[float] | type[int] = float) -> Any:
            raw = one(name)
            if raw is None:
                return None
            if kind is int:
                return whole_number(name, raw)
            try:
                value = float(raw)
            except ValueError:
                raise QueryError(f"{name}={raw[:40]!r} is not a number") from None
            if not math.isfinite(value):
                raise QueryError(f"{name}={raw[:40]!r} is not a finite number")
            return value

        def date(name: str) -> str | None:
            raw = one(name)
            if raw is not None and not _DATE.match(raw):
                raise QueryError(f"{name}={raw!r} is not a date (YYYY-MM-DD)")
            return raw

        meta: dict[str, str] = {}
        for pair in params.get("meta", []):
            key, eq, value = pair.partition("=")
            if not eq or not key.strip():
                raise QueryError(f"meta={pair!r} is not KEY=VALUE (region=EMEA)")
            meta[key.strip()] = value.strip()
        limit = number("limit", int) or PAGE
        if not 1 <= limit <= MAX_PAGE:
            raise QueryError(f"limit is 1 to {MAX_PAGE}")
        text = one("q") or ""
        if len(text) > 500:
            raise QueryError("q (search) is at most 500 characters")
        return cls(
            states=many("state", STATES),
            buckets=many("bucket", ALL_BUCKETS),
            sources=many("source"),
            reasons=many("reason", REASONS),
            language=one("language"),
            min_score=number("min_score"),
            max_score=number("max_score"),
            since=date("since"),
            until=date("until"),
            meta=meta,
            text=text,
            before=number("before", int),
            limit=limit,
        )


def feed_scope(filt: FeedFilter) -> tuple[list[str], list[Any]]:
    """Clauses on `v` for the comments of a feed's sources, metadata and languages, whatever
    their bucket, score, state or age: what a feed is about (its honesty meter, its curators,
    its log)."""
    where: list[str] = []
    args: list[Any] = []
    if filt.sources:
        where.append(f"v.source IN ({', '.join('?' for _ in filt.sources)})")
        args.extend(filt.sources)
    for key, values in sorted(filt.meta.items()):
        where.append(
            "EXISTS (SELECT 1 FROM json_each(v.meta) WHERE key = ? AND value IN "
            "(SELECT value FROM json_each(?)))"
        )
        args.extend([key, json.dumps(list(values))])
    if filt.languages:
        where.append("v.language IN (SELECT value FROM json_each(?))")
        args.append(json.dumps(list(filt.languages)))
    return where, args


def fts_query(text: str) -> str | None:
    """A search box's words as an FTS5 query: every word must occur, the last as a prefix
    (so results follow typing). Words are quoted: no input is FTS5 syntax, so none fails."""
    words = _WORD.findall(text)
    if not words:
        return None
    quoted = [f'"{w}"' for w in words]
    quoted[-1] += "*"
    return " AND ".join(quoted)


def _where(q: Query, skip_meta: str | None = None) -> tuple[list[str], list[Any]]:
    where: list[str] = []
    args: list[Any] = []

    def among(column: str, values: tuple[str, ...]) -> None:
        if values:
            where.append(f"v.{column} IN ({', '.join('?' for _ in values)})")
            args.extend(values)

    among("state", q.states)
    among("bucket", q.buckets)
    among("source", q.sources)
    for reason in q.reasons:
        where.append("EXISTS (SELECT 1 FROM json_each(v.flags) WHERE value = ?)")
        args.append(reason)
    if q.language:
        where.append("v.language = ?")
        args.append(q.language)
    if q.min_score is not None:
        where.append("v.score >= ?")
        args.append(q.min_score)
    if q.max_score is not None:
        where.append("v.score <= ?")
        args.append(q.max_score)
    if q.since:
        where.append("v.sort_at >= ?")
        args.append(q.since)
    if q.until:
        where.append("v.sort_at < ?")
        args.append(q.until[:10] + "~")  # the whole of that day, whatever the time's format
    for key, value in sorted(q.meta.items()):
        if key == skip_meta:
            continue
        where.append("EXISTS (SELECT 1 FROM json_each(v.meta) WHERE key = ? AND value = ?)")
        args.extend([key, value])
    if q.before is not None:
        where.append("v.rowid < ?")
        args.append(q.before)
    return where, args


def _select(
    q: Query, columns: str, limit: int, indexed: frozenset[str] = frozenset()
) -> tuple[str, list[Any]]:
    """The query's SQL, newest first: a walk of the FTS index when there are words, of the
    metadata rows for a value of a key feeds filter on (`indexed`), else of the comments."""
    walked = next((k for k in sorted(q.meta) if k in indexed), None)
    where, args = _where(q, skip_meta=walked)
    match = fts_query(q.text)
    if walked is not None and not match:
        sql = (
            f"SELECT {columns} FROM verbatim_meta m JOIN verbatims v ON v.rowid = m.vrow "
            f"WHERE m.key = ? AND m.value = ?{''.join(' AND ' + w for w in where)} "
            "ORDER BY m.vrow DESC LIMIT ?"
        )
        return sql, [walked, q.meta[walked], *args, limit]
    if walked is not None:  # words and metadata: the words lead, the value is checked
        where, args = _where(q)
    if match:
        sql = (
            f"SELECT {columns} FROM verbatims_fts f "
            "JOIN verbatims v ON v.rowid = f.rowid WHERE verbatims_fts MATCH ?"
            f"{''.join(' AND ' + w for w in where)} ORDER BY f.rowid DESC LIMIT ?"
        )
        return sql, [match, *args, limit]
    sql = (
        f"SELECT {columns} FROM verbatims v WHERE {' AND '.join(where) or '1'} "
        "ORDER BY v.rowid DESC LIMIT ?"
    )
    return sql, [*args, limit]


def _indexed_keys(store: Store, q: Query) -> frozenset[str]:
    if not q.meta:
        return frozenset()
    return frozenset(r[0] for r in store.db.execute("SELECT key FROM meta_keys"))


def matching_ids(store: Store, q: Query, cap: int) -> dict[str, Any]:
    """The ids of every comment the query matches, up to `cap` (to select for a bulk action)."""
    sql, args = _select(q, "v.id", cap + 1, _indexed_keys(store, q))
    ids = [r[0] for r in store.db.execute(sql, args)]
    return {"ids": ids[:cap], "more": len(ids) > cap}


def search(store: Store, q: Query) -> dict[str, Any]:
    """A page of cards, newest first, and where the next page starts (None at the end)."""
    sql, args = _select(q, "v.rowid AS _rowid, v.*", q.limit + 1, _indexed_keys(store, q))
    rows = list(store.db.query(sql, args))
    more = len(rows) > q.limit
    rows = rows[: q.limit]
    ids = [r["id"] for r in rows]
    latest = _latest_events(store, ids)
    notes: dict[str, list[dict[str, Any]]] = {}
    for n in store.db.query(
        "SELECT id, verbatim_id, actor, at, text FROM notes "
        "WHERE verbatim_id IN (SELECT value FROM json_each(?)) ORDER BY id",
        [json.dumps(ids)],
    ):
        notes.setdefault(n.pop("verbatim_id"), []).append(n)
    return {
        "items": [{**card(r, latest.get(r["id"])), "notes": notes.get(r["id"], [])} for r in rows],
        "next": rows[-1]["_rowid"] if more else None,
    }


def counts(store: Store) -> dict[str, int]:
    """How many comments are in each state (the pending count is always on screen)."""
    found = dict.fromkeys(STATES, 0)
    for state in STATES:  # one index range each: no scan of the table
        sql = "SELECT count(*) FROM verbatims WHERE state = ?"
        found[state] = int(store.db.execute(sql, [state]).fetchone()[0])
    return found


def _latest_events(store: Store, ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    sql = (
        "SELECT * FROM curation_log WHERE id IN (SELECT max(id) FROM curation_log "
        "WHERE verbatim_id IN (SELECT value FROM json_each(?)) GROUP BY verbatim_id)"
    )
    return {r["verbatim_id"]: r for r in store.db.query(sql, [json.dumps(ids)])}


def card(row: dict[str, Any], latest: dict[str, Any] | None = None) -> dict[str, Any]:
    """What the console shows of one comment, and why it is where it is."""
    text = shown_column(row)
    kept = masks.holding(text, masks.parse(row.get("curator_masks")))
    meta = json.loads(row["meta"] or "{}")
    flags = json.loads(row["flags"] or "[]")
    return {
        "id": row["id"],
        "text": text,
        "masks": [
            {"start": m.start, "end": m.end, "label": m.label, "by": m.by, "at": m.at} for m in kept
        ],
        "screen_text": masks.applied(text, kept),
        "pii_masked": json.loads(row.get("masked") or "[]"),
        "score": row["score"],
        "scale": row["scale"],
        "source": row["source"],
        "question": meta.get("question"),
        "meta": {k: v for k, v in meta.items() if k != "question"},
        "bucket": row["bucket"],
        "bucket_by": row.get("bucket_by"),
        "compound": row["compound"],
        "mixed": bool(row["mixed"]),
        "flags": flags,
        "state": row["state"],
        "pinned": bool(row["pinned"]),
        "language": row.get("language"),
        "given_at": row["given_at"],
        "ingested_at": row["ingested_at"],
        "latest_event": latest["id"] if latest else None,
        "why": why(row, flags, latest),
    }


def why(row: dict[str, Any], flags: list[str], latest: dict[str, Any] | None) -> str:
    """One sentence: why this comment is in its state and its bucket."""
    if latest and latest["action"] not in ("note", "mask", "unmask"):
        detail = json.loads(latest["detail"] or "{}")
        said = f" ({detail['reason']})" if detail.get("reason") else ""
        if latest["action"] == "edit":
            place = f"edited on {row['source']}, {_state_words(row['state'])}"
        elif latest["actor"].startswith(ACTOR) and latest["action"] in PAST:
            said = f": {detail['reason']}" if detail.get("reason") else ""
            rule = latest["actor"].removeprefix(ACTOR)
            place = f"{PAST[latest['action']]} by rule {rule}{said}, {_state_words(row['state'])}"
        else:
            place = f"{latest['action']} by {latest['actor']}{said}, {_state_words(row['state'])}"
    elif row["state"] == "pending":
        place = f"waits for a curator: {', '.join(FLAG_WORDS.get(f, f) for f in flags) or 'held'}"
    elif row["state"] == "approved":
        place = "shown: nothing held it back"
    else:
        place = "hidden"
    if row.get("bucket_by"):
        return f"{place}; {row['bucket']}, set by {row['bucket_by']}"
    return f"{place}; {row['bucket']} {_tagged_from(row)}"


def _state_words(state: str) -> str:
    return {"approved": "shown", "pending": "waiting", "hidden": "hidden"}[state]


def _tagged_from(row: dict[str, Any]) -> str:
    if row["bucket"] == "untagged":
        return "(a language the tagger cannot read, and no score)"
    score, scale = row["score"], row["scale"]
    words = f"words {row['compound']:+.2f}"
    if score is not None and scale in SCALES:
        low, high = SCALES[scale]
        return f"by the tagger ({words}; score {score:g} of {low}-{high}, {scale})"
    return f"by the tagger ({words}, no score)"
