"""Google Forms responses as CSV: from the form (`Download responses (.csv)`) or its Sheet.

The first column is `Timestamp` (`Horodateur`, `Zeitstempel`… in a form in another language),
in one of two styles: the form's own download writes
`2024/12/22 11:49:31 AM GMT+8` (the form owner's zone), the Sheet writes the cell as the
spreadsheet's locale shows it, `8/31/2023 19:08:16`, with no zone. Then come `Email Address`
(or `Username`) when the form collects them, a quiz's scores, and one column per question,
titled with the question. There is no response id: answers are keyed by their content and time.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ingest.columns import is_id, words
from ingest.personal import google_forms_column
from ingest.survey import Layout, clean, unique

_STAMP = re.compile(r"^(?:\d{4}/\d{1,2}/\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}) \d{1,2}:\d{2}")
# `Timestamp` as a form in English, French, German, Spanish, Portuguese, Italian, Dutch names it.
TIMESTAMP = {
    *("timestamp", "horodateur", "zeitstempel", "marca temporal", "carimbo de data/hora"),
    *("informazioni cronologiche", "tijdstempel"),
}
_QUIZ = re.compile(r"^(?:total score|score)$|\[(?:score|feedback)\]$", re.IGNORECASE)


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The layout of a Google Forms export's header row, or None if it is not one."""
    if not rows or not rows[0] or clean(rows[0][0]).lower() not in TIMESTAMP:
        return None
    names = unique([clean(c) for c in rows[0]])
    if any(is_id(n) and len(words(n)) <= 3 for n in names):
        return None  # Forms has no id column: a table of tickets with a timestamp is plain CSV
    if len(rows) > 1 and rows[1] and not _STAMP.match(rows[1][0].strip()):
        return None  # nor ISO timestamps: its own are 2024/12/22 1:02:03 PM… or 12/22/2024 13:02…
    personal = {n for n in names if google_forms_column(n)}
    quiz = {n for n in names if _QUIZ.search(n)}
    return Layout(
        format="google-forms",
        names=names,
        questions=names,
        first_data_row=1,
        system=frozenset({names[0], *personal, *quiz}),
        dropped=frozenset(personal | quiz),
        date=names[0],
    )
