"""Two header rows: a question above the columns of its choices, read into one name each.

Survey tools write a question with several columns (one per choice of a multiple-choice
question, a write-in beside them) in one of two shapes:

- the question above every column of its group, the choice below (Typeform), or above the
  first column only with blanks after it (SurveyMonkey), and under a question of one column
  nothing, or a word such as `Response`; the second row's first cell is blank;
- the question above the first column of its group only, and blank everywhere else, even
  above the id: the second row names every column, a group's choices and each stand-alone
  question alike (the first line often ends in a comma).

Either way a choice's column is named `Question - Choice` and a stand-alone question keeps
its own title. In the second shape a group ends where a column is no choice of it: one whose
title is asked like a question, is an id or a date, or a platform's own.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

from ingest.columns import detect, is_id, leading_number, missing, words
from ingest.personal import personal
from ingest.survey import Layout, unique
from ingest.vocab import DATE, any_of

# What tools write under a question that has one column: not part of its name.
_PLAIN = {"response", "responses", "open-ended response", "open ended response", "answer"}


def shape(rows: Sequence[Sequence[str]]) -> str | None:
    """`above-all` or `above-first` when the first two rows are both headers, else None."""
    if len(rows) < 2:
        return None
    first, second = _cleaned(rows[0]), _cleaned(rows[1])
    width = max(_width(first), _width(second))
    if width < 2 or not second or _numbers(second):
        return None
    first += [""] * (width - len(first))
    second += [""] * (width - len(second))
    named_first = [c for c in first if c]
    if not first[0] and second[0] and named_first:
        blanks = width - len(named_first)
        named_second = sum(bool(c) for c in second)
        if blanks * 2 >= width and named_second * 5 >= width * 4:
            return "above-first"
    if not second[0] and any(second) and named_first and first[0]:
        gaps = any(not c for c in first[:width])
        repeated = len(set(named_first)) < len(named_first)
        if gaps or repeated:
            return "above-all"
    return None


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """A survey export of no known platform whose first two rows are headers, or None.

    Its id is a column named like one (`Respondent ID`), or `#` unless it only counts the rows
    (1, 2, 3…: a number that a filtered export gives to another response), else each answer
    is keyed by the response's content; its date the one that says end or submitted.
    """
    if shape(rows) is None:
        return None
    found, questions = names(rows)
    found = unique(found)
    samples = [dict(zip(found, r, strict=False)) for r in rows[2:]]
    counted = {n for n in found if n == "#" and _counted(n, samples)}  # row numbers: no id
    ids = [n for n in found if is_id(n) or (n == "#" and n not in counted)]
    rid = next((n for n in ids if {"response", "respondent"} & set(words(n))), None)
    rid = rid or (ids[0] if ids else None)
    dated = [n for n in found if any_of(words(n), DATE) and n not in ids]
    date = detect(dated, samples).date if dated else None
    ended = [n for n in dated if {"end", "submitted", "submit", "completed"} & set(words(n))]
    started = [n for n in dated if "start" in words(n) or "started" in words(n)]
    return Layout(
        format="survey-csv",
        names=found,
        questions=questions,
        first_data_row=2,
        system=frozenset({*ids, *dated, *counted}),
        dropped=frozenset({*counted, *(n for n in found if personal(n) and n != rid)}),
        id=rid,
        date=ended[0] if ended else date,
        date_fallback=started[0] if started else None,
        content_key=rid is None,
        started=started[0] if started else None,
    )


def names(
    rows: Sequence[Sequence[str]], standalone: Collection[str] = ()
) -> tuple[list[str], list[str]]:
    """Each column's name and its question's wording, from two header rows.

    `rows` are the two header rows and the data rows after them (the data tell a group's
    choice, whose cells hold its label, from a stand-alone question); `standalone` names
    columns that are never a choice (a platform's own).
    """
    first, second = _cleaned(rows[0]), _cleaned(rows[1])
    width = max(_width(first), _width(second))
    first += [""] * (width - len(first))
    second += [""] * (width - len(second))
    data = [list(r) for r in rows[2:]]
    found_names: list[str] = []
    questions: list[str] = []
    group = ""
    above_first = shape(rows) == "above-first"
    for i, (head, sub) in enumerate(zip(first, second, strict=True)):
        if head:
            group = head
        elif above_first and (
            sub in standalone or not _choice(sub, [r[i] for r in data if i < len(r)])
        ):
            group = ""  # a group's choices have ended: a stand-alone question
        plain = sub.lower() in _PLAIN or sub == group
        if group and sub and not plain and sub not in standalone:
            found_names.append(f"{group} - {sub}")
            questions.append(group)
        elif head or (group and plain):
            found_names.append(head or group)
            questions.append(head or group)
        else:
            found_names.append(sub)
            questions.append(sub)
    return found_names, questions


def _counted(column: str, samples: list[dict[str, str]]) -> bool:
    """Whether a column holds row numbers."""
    given = [str(s.get(column) or "").strip() for s in samples]
    return bool(given) and all(v.isdigit() for v in given)


def _choice(title: str, values: list[str]) -> bool:
    """Whether a column with no question above it is a choice of the group before it."""
    given = [v.strip() for v in values if not missing(v)]
    if given and all(v == title for v in given):
        return True  # a ticked choice holds its own label
    if not title or title.endswith(("?", ":")) or len(title.split()) >= 5:
        return False
    return not (is_id(title) or title == "#" or any_of(words(title), DATE))


def _cleaned(row: Sequence[str]) -> list[str]:
    return [" ".join(c.replace("\ufeff", "").replace("\xa0", " ").split()) for c in row]


def _width(row: list[str]) -> int:
    width = len(row)
    while width and not row[width - 1]:
        width -= 1
    return width


def _numbers(row: list[str]) -> bool:
    """A row mostly of numbers is data, not a header."""
    given = [c for c in row if c]
    return sum(leading_number(c) is not None for c in given) * 2 > len(given)
