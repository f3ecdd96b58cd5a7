"""Curators' masks: spans of a comment that screens show as `[masked]` (or a label).

A mask is kept beside the comment, never in its text: the customer's words stay as they were,
and unmasking restores them. Spans are offsets into the text screens get (personal data already
masked by ticker/redact.py), which is what the console shows and a curator selects in. Each mask
remembers its words, so an edit from the source that moves them drops the mask instead of
covering other words.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

DEFAULT_LABEL = "masked"
MAX_LABEL = 40


class MaskError(ValueError):
    """A span that cannot be masked; the message says why."""


@dataclass(frozen=True)
class Mask:
    start: int
    end: int
    words: str
    label: str
    by: str
    at: str


def parse(raw: str | None) -> tuple[Mask, ...]:
    return tuple(Mask(**m) for m in json.loads(raw or "[]"))


def dump(masks: tuple[Mask, ...]) -> str:
    return json.dumps([asdict(m) for m in sorted(masks, key=lambda m: m.start)], ensure_ascii=False)


def holding(text: str, masks: tuple[Mask, ...]) -> tuple[Mask, ...]:
    """The masks whose words are still where they were in `text`."""
    return tuple(m for m in masks if text[m.start : m.end] == m.words)


def applied(text: str, masks: tuple[Mask, ...]) -> str:
    """The text as screens show it: each holding mask's span replaced by `[label]`."""
    out, at = [], 0
    for m in sorted(holding(text, masks), key=lambda m: m.start):
        out.append(text[at : m.start])
        out.append(f"[{m.label}]")
        at = m.end
    out.append(text[at:])
    return "".join(out)


def added(
    text: str, masks: tuple[Mask, ...], start: int, end: int, label: str, by: str, at: str
) -> tuple[Mask, ...]:
    """The masks with one more span; MaskError for a span outside the text or over another."""
    label = " ".join(label.split()) or DEFAULT_LABEL
    if len(label) > MAX_LABEL or "[" in label or "]" in label:
        raise MaskError(f"a mask's label is at most {MAX_LABEL} characters, without brackets")
    if not 0 <= start < end <= len(text):
        raise MaskError(
            f"span {start}-{end} is outside the comment (its text has {len(text)} characters)"
        )
    if not text[start:end].strip():
        raise MaskError("the span holds only spaces; select the words to mask")
    kept = holding(text, masks)
    if any(m.start < end and start < m.end for m in kept):
        raise MaskError(f"span {start}-{end} overlaps a mask already there; unmask it first")
    return (*kept, Mask(start, end, text[start:end], label, by, at))


def removed(masks: tuple[Mask, ...], start: int) -> tuple[Mask, ...]:
    """The masks without the one starting at `start`; MaskError if there is none."""
    if not any(m.start == start for m in masks):
        raise MaskError(f"no mask starts at {start}")
    return tuple(m for m in masks if m.start != start)
