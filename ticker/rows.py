"""A verbatim as a row of the verbatims table: made in worker processes, written by the store.

Rows are plain tuples in `COLUMNS` order: a chunk of 2,000 crosses from a worker process to the
writer cheaply, and `executemany` takes them as they are.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ticker import masks
from ticker.records import Stored, Tag, Verbatim


@dataclass(frozen=True)
class Tagged:
    """A verbatim ready to store: its tag, moderation flags and initial state."""

    verbatim: Verbatim
    tag: Tag
    flags: tuple[str, ...]
    state: str
    shown_text: str  # the text with personal data masked: what screens get
    masked: tuple[str, ...] = ()
    language: str | None = None  # ISO 639-1, None when it could not be told
    rule: dict[str, str] | None = None  # the log's row of the rule that acted (ticker/rules.py)


COLUMNS = (
    "id",
    "source",
    "response_id",
    "text",
    "score",
    "scale",
    "given_at",
    "meta",
    "compound",
    "bucket",
    "mixed",
    "flags",
    "tagger_version",
    "state",
    "pinned",
    "ingested_at",
    "shown_text",
    "masked",
    "sort_at",
    "language",
)
AT = {name: i for i, name in enumerate(COLUMNS)}
# What stays when a customer edits a response: who and when it is, and what curators made of it
# (a pin, a hide). The UPDATE below keeps a hide and the dates itself; all the rest is the edit.
KEPT = ("id", "source", "response_id", "given_at", "state", "pinned", "ingested_at", "sort_at")
EDITED = tuple(c for c in COLUMNS if c not in KEPT)
# Plain executemany: sqlite-utils' insert_all inspects every value, a quarter of an import's time.
INSERT = (
    f"INSERT OR IGNORE INTO verbatims ({', '.join(COLUMNS)}) "
    f"VALUES ({', '.join('?' for _ in COLUMNS)})"
)
UPDATE = (
    f"UPDATE verbatims SET {', '.join(f'{c} = :{c}' for c in EDITED)}, "
    "given_at = coalesce(:given_at, given_at), sort_at = coalesce(:given_at, sort_at), "
    "state = CASE WHEN state = 'hidden' THEN 'hidden' ELSE :state END, "
    "bucket_by = NULL WHERE id = :id"  # a curator's bucket was for the words before the edit
)


def row_for(t: Tagged, stamp: str) -> tuple[Any, ...]:
    """The verbatims table's row for a tagged verbatim (made in worker processes too)."""
    v = t.verbatim
    return (
        v.key,
        v.source,
        v.response_id,
        v.text,
        v.score,
        v.scale,
        v.given_at,
        json.dumps(v.meta, ensure_ascii=False),
        t.tag.compound,
        t.tag.bucket,
        int(t.tag.mixed),
        json.dumps(t.flags),
        t.tag.version,
        t.state,
        0,
        stamp,
        t.shown_text,
        json.dumps(t.masked),
        v.given_at or stamp,  # the feeds' order: when it was given, else when it came in
        t.language,
    )


def named(row: tuple[Any, ...]) -> dict[str, Any]:
    """A row as a mapping by column name (for the UPDATE of an edited response)."""
    return dict(zip(COLUMNS, row, strict=True))


def stored(r: dict[str, Any]) -> Stored:
    """A row read back as the domain's `Stored`."""
    return Stored(
        id=r["id"],
        source=r["source"],
        text=r["text"],
        score=r["score"],
        scale=r["scale"],
        given_at=r["given_at"],
        meta=json.loads(r["meta"] or "{}"),
        bucket=r["bucket"],
        compound=r["compound"],
        state=r["state"],
        pinned=bool(r["pinned"]),
        ingested_at=r["ingested_at"],
        shown_text=masks.applied(shown_column(r), masks.parse(r.get("curator_masks"))),
    )


def shown_column(r: dict[str, Any]) -> str:
    """The text with personal data masked, before curators' masks (what they select in)."""
    return str(r["shown_text"] if r.get("shown_text") is not None else r["text"])
