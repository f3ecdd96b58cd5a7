"""Survey platforms' response exports: what their header rows say, and one record per answer.

A survey export is a row per response and a column per question, plus columns the platform
adds (dates, status, ids, browser and location). Each platform module reads its header rows
into a Layout; from there every export is handled alike: rows that are no real response
(previews, tests, disqualified) are skipped, the open-text questions are found (named by the
format where it says, otherwise from the question wording and the answers), and every
answered open-text question becomes a verbatim of its own, keyed by (response id, column).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from statistics import mean
from typing import Any

from ingest import vocab
from ingest.columns import Mapping, detect, infer_scale, missing, no_text, words
from ingest.personal import asks_for_personal, personal
from ticker.records import Scale

ANSWER, QUESTION, RESPONSE = "_answer", "question", "_response"


def _never(record: dict[str, Any]) -> bool:
    return False


@dataclass(frozen=True)
class Layout:
    """What a platform's header rows say about its columns."""

    format: str
    names: list[str]  # column names, made unique
    questions: list[str]  # each column's question wording (the name where there is no other)
    first_data_row: int  # header rows before the answers
    system: frozenset[str]  # columns the platform adds: never comments; metadata unless dropped
    dropped: frozenset[str] = frozenset()  # never kept with a comment: personal data, noise
    texts: tuple[str, ...] = ()  # open-text columns as the format names them
    id: str | None = None
    date: str | None = None
    date_fallback: str | None = None  # when `date` is empty (a partial response)
    utc: bool = False  # the dates are UTC though they do not say so
    score: str | None = None  # found from the answers when the format does not say
    scale: Scale | None = None
    skipped: Callable[[dict[str, Any]], bool] = field(default=_never)  # previews, tests…
    content_key: bool = False  # no id: a response is known by when it began and its answers
    started: str | None = None  # when the response began, for its content key
    lists: frozenset[str] = frozenset()  # the boxes of a list of open answers (`Aspect #2:…`)


def clean(header: str) -> str:
    """A header as people read it: no BOM, NBSPs as spaces, no surrounding blanks."""
    return " ".join(header.replace("\ufeff", "").replace("\xa0", " ").split())


def unique(names: Sequence[str]) -> list[str]:
    """Repeated column names (one column per choice, two questions worded alike) numbered."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        seen[name] = seen.get(name, 0) + 1
        out.append(name if seen[name] == 1 else f"{name} ({seen[name]})")
    return out


def _questions(lay: Layout) -> list[tuple[str, str]]:
    """(column, wording) of the columns that are questions."""
    return [
        (n, q)
        for n, q in zip(lay.names, lay.questions, strict=False)
        if n and n not in lay.system and n not in lay.dropped
    ]


def score_column(lay: Layout, samples: Sequence[dict[str, Any]]) -> tuple[str | None, Scale | None]:
    """The score: as the format says, else the question worded like one with numbers for answers."""
    if lay.score:
        return lay.score, lay.scale
    by_wording = {q: n for n, q in reversed(_questions(lay))}
    worded = [{q: s.get(n) for q, n in by_wording.items()} for s in samples]
    found = detect(list(by_wording), worded).score
    if found is None:
        return None, None
    return by_wording[found], infer_scale(found, worded)


def open_texts(lay: Layout, samples: Sequence[dict[str, Any]]) -> list[str]:
    """The open-text columns: as the format says, else those asking for words and answered so."""
    if lay.texts:
        return list(lay.texts)
    score, _ = score_column(lay, samples)
    found = []
    for name, question in _questions(lay):
        values = [str(v).strip() for s in samples if not missing(v := s.get(name))]
        if name != score and values and _open(question, values, name in lay.lists):
            found.append(name)
    return found


def _open(question: str, values: list[str], listed: bool = False) -> bool:
    if sum(any(c.isalpha() for c in v) for v in values) <= len(values) / 2:
        return False  # numbers, dates, codes
    asked = words(question)
    if vocab.any_of(asked, vocab.CHOICE):
        return False  # "select all that apply": labels ticked from a list
    if vocab.any_of(asked, vocab.OPEN):
        return True
    if asks_for_personal(question):
        return False
    if listed:  # a list of boxes to type in: words, mostly different ones
        return len(set(values)) >= 0.5 * len(values)
    # No telling wording: sentences, and mostly different ones (not a choice's labels).
    return mean(len(v.split()) for v in values) >= 4 and len(set(values)) >= 0.8 * len(values)


def _choice(question: str, values: list[Any]) -> bool:
    """A question answered with a few words from a list (store, product, plan): metadata."""
    given = [str(v).strip() for v in values if not missing(v)]
    return (
        bool(given)
        and not personal(question)
        and all(any(c.isalpha() for c in v) for v in given)
        and mean(len(v.split()) for v in given) <= 4
        and len(set(given)) <= max(10, len(given) // 4)
    )


def answers(lay: Layout, texts: Sequence[str], record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """One record per open-text answer of a response; previews and tests yield nothing."""
    if lay.skipped(record):
        return
    rid = str(record.get(lay.id) or "").strip() if lay.id else ""
    if lay.date:
        when = str(record.get(lay.date) or record.get(lay.date_fallback or "") or "").strip()
        record = {**record, lay.date: f"{when}+00:00" if when and lay.utc else when}
    questions = dict(zip(lay.names, lay.questions, strict=False))
    given = [c for c in texts if not no_text(str(record.get(c) or ""))]
    for column in given or texts[:1]:  # a response with no comment still counts, once, as empty
        yield {
            **record,
            ANSWER: record.get(column, ""),
            RESPONSE: f"{rid or content_key(lay, record, column)}/{column}"
            if rid or lay.content_key
            else "",
            QUESTION: questions.get(column) or column,
        }


def content_key(lay: Layout, record: dict[str, Any], column: str) -> str:
    """An answer's key from the response's content, the same on every import of it: when the
    response began and the answer (so a partial response completed later keeps its keys), or
    all its answers when the export has no start time."""
    started = str(record.get(lay.started) or "").strip() if lay.started else ""
    if started:
        material: list[Any] = ["started", started, column, str(record.get(column) or "")]
    else:
        answers = sorted((n, str(v)) for n, _ in _questions(lay) if not missing(v := record.get(n)))
        material = ["answers", column, answers]
    digest = hashlib.sha256(json.dumps(material, ensure_ascii=False).encode("utf-8"))
    return f"content-{digest.hexdigest()[:16]}"


def mapping(lay: Layout, samples: Sequence[dict[str, Any]], asked: Mapping) -> Mapping:
    """The answer as text, the score, id and date, and the platform's columns worth keeping."""
    score, scale = score_column(lay, samples)
    texts = set(lay.texts) | set(open_texts(lay, samples))
    choices = {n for n, q in _questions(lay) if _choice(q, [s.get(n) for s in samples])}
    meta = tuple(
        n
        for n in lay.names
        if (n in lay.system or n in choices)
        and n not in lay.dropped
        and n not in (lay.id, lay.date, score)
        and n not in texts
    )
    found = Mapping(
        text=ANSWER, score=score, scale=scale, id=RESPONSE, date=lay.date, meta=(*meta, QUESTION)
    )
    return found.merged(asked)
