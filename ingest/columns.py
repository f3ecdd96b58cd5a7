"""Which column is the comment, the score, the id and the date: by option, file or header."""

from __future__ import annotations

import re
import shlex
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from statistics import mean
from typing import Any

from ingest import vocab
from ingest.decode import UnreadableFile
from ticker.records import SCALES, Scale

# What R, SPSS, Stata, SQL tools and pandas write for a value that is missing.
_DATE_LIKE = re.compile(r"\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}")
MISSING = frozenset({"", "na", "n/a", "null", ".", "nan", "#null!"})
# Of those, what only a tool writes in a text cell: a customer's own "n/a" or "." is kept.
_TOOLS_MISSING = frozenset({"NA", "NULL", "#NULL!", "NaN"})


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
    """A header's words, lowercased, accents dropped, NBSPs and punctuation as separators."""
    return vocab.words(header)


def missing(value: Any) -> bool:
    """A cell that holds no value: empty, or a statistics tool's NA, N/A, NULL, `.`…"""
    return value is None or (isinstance(value, str) and value.strip().lower() in MISSING)


def no_text(value: str) -> bool:
    """A text cell with no comment: blank, or a statistics tool's NA/NULL (not a customer's)."""
    return not value.strip() or value.strip() in _TOOLS_MISSING


def is_id(header: str) -> bool:
    w = words(header)
    return bool(w) and (w[-1] in vocab.ID or "".join(w) in vocab.ID)


def _pick(headers: Sequence[str], vocab_: Sequence[str], exclude: set[str]) -> list[str]:
    """Headers holding a vocabulary entry, in the vocabulary's order of preference."""
    ranked = []
    for h in headers:
        if h not in exclude and (rank := vocab.first(words(h), vocab_)) is not None:
            ranked.append((rank, h))
    return [h for _, h in sorted(ranked, key=lambda r: r[0])]


def detect(headers: Sequence[str], samples: Sequence[dict[str, Any]]) -> Mapping:
    """Guess the mapping from header names, and from the values where names are not enough."""
    ids = [h for h in headers if is_id(h)]
    id_col = next((h for h in ids if "response" in words(h)), ids[0] if ids else None)
    taken = set(ids)
    texts = [h for h in _pick(headers, vocab.TEXT, taken) if _wordy(h, samples)]
    text = None
    if texts:
        best = vocab.first(words(texts[0]), vocab.TEXT)
        tied = [h for h in texts if vocab.first(words(h), vocab.TEXT) == best]
        text = max(tied, key=lambda h: sum(len(str(s.get(h) or "")) for s in samples))
    taken |= {text} if text else set()
    scores = [h for h in _pick(headers, vocab.SCORE, taken) if _numeric_share(h, samples) > 0.5]
    score = scores[0] if scores else None
    taken |= {score} if score else set()
    dates = [h for h in _pick(headers, vocab.DATE, taken) if _dated(h, samples)]
    date = next((h for h in dates if "end" in words(h) or "recorded" in words(h)), None) or (
        dates[0] if dates else None
    )
    return Mapping(text=text, score=score, scale=infer_scale(score, samples), id=id_col, date=date)


def _given(header: str, samples: Sequence[dict[str, Any]]) -> list[Any]:
    return [v for s in samples if not missing(v := s.get(header))]


def _numeric_share(header: str, samples: Sequence[dict[str, Any]]) -> float:
    values = _given(header, samples)
    if not values:
        return 1.0  # an empty score column is still the score column
    return sum(leading_number(v) is not None for v in values) / len(values)


def _wordy(header: str, samples: Sequence[dict[str, Any]]) -> bool:
    """Not a column of numbers or dates (`Response date`, `Date de retour`): it may be text."""
    values = [str(v) for v in _given(header, samples)]
    return not values or sum(any(c.isalpha() for c in v) for v in values) * 4 > len(values)


def _dated(header: str, samples: Sequence[dict[str, Any]]) -> bool:
    """`data` is a date in Portuguese and Italian only when its values are dates."""
    if vocab.first(words(header), vocab.DATE) != vocab.DATE.index("data"):
        return True
    values = _given(header, samples)
    return bool(values) and all(
        re.match(r"\s*\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}", str(v)) for v in values
    )


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
    w = words(header)
    if vocab.any_of(w, vocab.NPS):
        return "nps"
    if vocab.any_of(w, vocab.STARS):
        return "stars5"
    if vocab.any_of(w, vocab.CSAT):
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
            "no comment column found (looked for headers like comment, feedback, verbatim, why, "
            f"in seven languages); the columns are: {', '.join(headers)}; "
            + text_hint(comment_like(headers, samples))
        )
    if mapping.score and mapping.scale is None:
        mapping = replace(mapping, scale=infer_scale(mapping.score, samples))
    if mapping.scale is not None and mapping.scale not in SCALES:
        raise MappingError(f"unknown scale {mapping.scale!r}; use nps, csat5 or stars5")
    if mapping.meta is None:
        used = {mapping.text, mapping.score, mapping.id, mapping.date}
        mapping = replace(mapping, meta=tuple(h for h in headers if h and h not in used))
    return mapping


def comment_like(headers: Sequence[str], samples: Sequence[dict[str, Any]]) -> list[str]:
    """The columns whose answers read most like comments (long, varied, sentences), best first.

    Numbers, dates, codes, emails and a choice's few labels are never proposed.
    """
    ranked = []
    for h in headers:
        values = [str(v).strip() for v in _given(h, samples)]
        if not h or not values or sum("@" in v and " " not in v for v in values) * 2 > len(values):
            continue
        wordy = sum(sum(c.isalpha() for c in v) * 2 > len(v) for v in values) / len(values)
        length = mean(min(len(v.split()), 40) for v in values)
        varied = len(set(values)) / len(values)
        if wordy >= 0.5 and length >= 3 and varied >= 0.5:
            ranked.append((length * varied * wordy, h))
    return [h for _, h in sorted(ranked, key=lambda r: -r[0])[:3]]


def text_hint(columns: Sequence[str]) -> str:
    """How to name the comment column: the most comment-like ones with the exact option."""
    if not columns:
        return "name it with --text COLUMN"
    liked = ", ".join(repr(c) for c in columns)
    option = f"--text {shlex.quote(columns[0])}"
    return f"the most comment-like by their answers: {liked}; import with {option}"
