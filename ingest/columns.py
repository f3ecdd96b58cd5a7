"""Which column is the comment, the score, the id and the date: by option, file or header."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ingest.decode import UnreadableFile
from ticker.records import SCALES, Scale

_TEXT_WORDS = (
    "verbatim",
    "comment",
    "comments",
    "feedback",
    "why",
    "review",
    "reason",
    "text",
    "response",
    "answer",
    "open",
    "remarks",
    "suggestion",
    "suggestions",
)
_SCORE_WORDS = (
    "nps",
    "csat",
    "score",
    "rating",
    "stars",
    "star",
    "recommend",
    "likelihood",
    "satisfaction",
    "satisfied",
)
_DATE_WORDS = ("date", "timestamp", "time", "submitted", "created", "recorded", "given", "at")
_ID_WORDS = ("id", "responseid", "uuid", "token")


class MappingError(ValueError):
    """The columns asked for (or needed) are not in the file; the message lists what is."""


@dataclass(frozen=True)
class Mapping:
    """Where each part of a verbatim comes from in a tabular export."""

    text: str | None = None
    score: str | None = None
    scale: Scale | None = None
    id: str | None = None
    date: str | None = None
    meta: tuple[str, ...] | None = None
    date_order: str = "auto"  # "mdy", "dmy" or "auto" for dates like 03/04/2026

    @classmethod
    def from_file(cls, path: Path) -> Mapping:
        """Read a small TOML mapping file: text = "...", score = "...", scale = "nps", ..."""
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise UnreadableFile(f"mapping file {path}: {exc}") from None
        known = {"text", "score", "scale", "id", "date", "meta", "date_order"}
        unknown = set(data) - known
        if unknown:
            raise MappingError(
                f"mapping file {path}: unknown keys {sorted(unknown)}; use {sorted(known)}"
            )
        if "meta" in data:
            if not isinstance(data["meta"], list) or not all(
                isinstance(m, str) for m in data["meta"]
            ):
                raise MappingError(f"mapping file {path}: meta must be a list of column names")
            data["meta"] = tuple(data["meta"])
        return cls(**data)

    def merged(self, other: Mapping) -> Mapping:
        """This mapping with `other`'s explicit choices taking precedence."""
        chosen = {k: v for k, v in vars(other).items() if v not in (None, "auto")}
        return replace(self, **chosen)


def words(header: str) -> list[str]:
    """A header's words, lowercased, with NBSPs and punctuation as separators."""
    return re.findall(r"[a-z0-9]+", header.replace("\xa0", " ").lower())


def is_id(header: str) -> bool:
    w = words(header)
    return bool(w) and (w[-1] in _ID_WORDS or "".join(w) in _ID_WORDS)


def _pick(headers: Sequence[str], vocab: Sequence[str], exclude: set[str]) -> list[str]:
    """Headers containing a vocabulary word, in the vocabulary's order of preference."""
    found: list[str] = []
    for word in vocab:
        found += [h for h in headers if h not in exclude and h not in found and word in words(h)]
    return found


def detect(headers: Sequence[str], samples: Sequence[dict[str, Any]]) -> Mapping:
    """Guess the mapping from header names, and from the values where names are not enough."""
    ids = [h for h in headers if is_id(h)]
    id_col = next((h for h in ids if "response" in words(h)), ids[0] if ids else None)
    taken = set(ids)
    texts = _pick(headers, _TEXT_WORDS, taken)
    text = None
    if texts:
        best_word = next(w for w in _TEXT_WORDS if w in words(texts[0]))
        tied = [h for h in texts if best_word in words(h)]
        text = max(tied, key=lambda h: sum(len(str(s.get(h) or "")) for s in samples))
    taken |= {text} if text else set()
    scores = [h for h in _pick(headers, _SCORE_WORDS, taken) if _numeric_share(h, samples) > 0.5]
    score = scores[0] if scores else None
    taken |= {score} if score else set()
    dates = _pick(headers, _DATE_WORDS, taken)
    date = next((h for h in dates if "end" in words(h) or "recorded" in words(h)), None) or (
        dates[0] if dates else None
    )
    return Mapping(text=text, score=score, scale=infer_scale(score, samples), id=id_col, date=date)


def _numeric_share(header: str, samples: Sequence[dict[str, Any]]) -> float:
    values = [s.get(header) for s in samples if s.get(header) not in (None, "")]
    if not values:
        return 1.0  # an empty score column is still the score column
    return sum(leading_number(v) is not None for v in values) / len(values)


def leading_number(value: Any) -> float | None:
    """A score from '9', '9.0', 9 or '10 - Extremely likely'; None when there is none."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        try:
            return float(value)
        except OverflowError:  # 10**400 is a number, but no score
            return None
    m = re.match(r"\s*(-?\d+(?:[.,]\d+)?)\b", str(value))
    return float(m.group(1).replace(",", ".")) if m else None


def infer_scale(header: str | None, samples: Sequence[dict[str, Any]]) -> Scale | None:
    """The scale from the header's words, or from the highest value seen."""
    if header is None:
        return None
    w = set(words(header))
    if w & {"nps", "recommend", "likelihood"}:
        return "nps"
    if w & {"star", "stars"}:
        return "stars5"
    if w & {"csat", "satisfaction", "satisfied"}:
        return "csat5"
    values = [n for s in samples if (n := leading_number(s.get(header))) is not None]
    if values and (max(values) > 5 or min(values) == 0):
        return "nps"
    return "stars5" if "rating" in w else "csat5"


def resolve(headers: Sequence[str], samples: Sequence[dict[str, Any]], asked: Mapping) -> Mapping:
    """What was asked for, the rest detected; raises MappingError when unusable."""
    for role in ("text", "score", "id", "date"):
        col = getattr(asked, role)
        if col is not None and col not in headers:
            raise MappingError(
                f"no column {col!r} for the {role}; the columns are: {', '.join(headers)}"
            )
    mapping = detect(headers, samples).merged(asked)
    if mapping.text is None:
        raise MappingError(
            "no comment column found (looked for headers like comment, feedback, verbatim, why); "
            f"the columns are: {', '.join(headers)}; name it with --text COLUMN"
        )
    if mapping.score and mapping.scale is None:
        mapping = replace(mapping, scale=infer_scale(mapping.score, samples))
    if mapping.scale is not None and mapping.scale not in SCALES:
        raise MappingError(f"unknown scale {mapping.scale!r}; use nps, csat5 or stars5")
    if mapping.meta is None:
        used = {mapping.text, mapping.score, mapping.id, mapping.date}
        mapping = replace(mapping, meta=tuple(h for h in headers if h and h not in used))
    return mapping
