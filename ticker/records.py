"""The verbatim: one free-text comment from one survey response, and the words around it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any, Literal

Scale = Literal["nps", "csat5", "stars5"]
SCALES: dict[str, tuple[int, int]] = {"nps": (0, 10), "csat5": (1, 5), "stars5": (1, 5)}
# untagged: in a language the tagger cannot read, with no score to go by (waits for a curator)
Bucket = Literal["good", "bad", "ugly", "neutral", "noise", "untagged"]
SHOWN_BUCKETS: tuple[Bucket, ...] = ("good", "bad", "ugly")
ALL_BUCKETS: tuple[Bucket, ...] = ("good", "bad", "ugly", "neutral", "noise", "untagged")
State = Literal["approved", "pending", "hidden"]


class RecordError(ValueError):
    """A row cannot become a verbatim; the message says why, for the quarantine."""


@dataclass(frozen=True)
class Verbatim:
    """A comment as a source gave it, before tagging; the text is never rewritten."""

    source: str
    text: str
    response_id: str | None = None
    score: float | None = None
    scale: Scale | None = None
    given_at: str | None = None
    meta: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        try:  # JSON may carry a lone surrogate ("\ud800"), which no database or page can hold
            for part in (self.text, self.response_id or "", *self.meta, *self.meta.values()):
                part.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise RecordError(
                f"holds {exc.object[exc.start : exc.end]!r}, half of a character (a lone "
                "surrogate), which is not text; fix it at the source"
            ) from None
        if self.score is not None:
            if self.scale is None:
                raise RecordError(f"score {self.score:g} has no scale (nps, csat5 or stars5)")
            low, high = SCALES[self.scale]
            if not low <= self.score <= high:
                raise RecordError(
                    f"score {self.score:g} is outside the {self.scale} scale {low}-{high}"
                )

    @property
    def key(self) -> str:
        """The idempotency key: (source, response id), or a content hash where there is no id."""
        material: list[str | float | None]
        if self.response_id:
            material = ["id", self.source, self.response_id]
        else:
            material = ["content", self.source, self.text, self.given_at, self.score]
        digest = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8"))
        return digest.hexdigest()[:20]


@dataclass(frozen=True)
class Tag:
    """What the tagger says of a verbatim."""

    bucket: Bucket
    compound: float
    mixed: bool
    profane: bool
    version: str


META_CHARS = 60


def abridge(text: str, max_chars: int) -> str:
    """At most max_chars characters, cut at a word where possible, with an ellipsis if cut."""
    if len(text) <= max_chars:
        return text
    cut = text.rfind(" ", 0, max_chars)
    return text[: cut if cut > max_chars // 2 else max_chars - 1].rstrip() + "…"


@dataclass(frozen=True)
class Stored:
    """A verbatim as the store holds it, with its tag and moderation state."""

    id: str
    source: str
    text: str
    score: float | None
    scale: Scale | None
    given_at: str | None
    meta: dict[str, str]
    bucket: Bucket
    compound: float
    state: State
    pinned: bool
    ingested_at: str
    shown_text: str  # personal data masked (ticker/redact.py); `text` stays the customer's words

    def to_item(self, max_chars: int, meta: tuple[str, ...] = ()) -> dict[str, Any]:
        """The item object of the stream protocol (docs/protocol.md).

        A ticker shows a few lines; a 10 MB comment is stored whole but sent abridged. Only the
        metadata labels named in `meta` go out (case-insensitively), each value abridged.
        """
        shown = {m.lower() for m in meta}
        return {
            "id": self.id,
            "text": abridge(self.shown_text, max_chars),
            "bucket": self.bucket,
            "score": self.score,
            "scale": self.scale,
            "source": self.source,
            "given_at": self.given_at,
            "pinned": self.pinned,
            "meta": {k: abridge(v, META_CHARS) for k, v in self.meta.items() if k.lower() in shown},
        }
