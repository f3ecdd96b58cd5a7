"""Typeform: responses from the Responses API, from webhooks, and from the CSV download.

The CSV (Results > Responses > Download) has `#` (the response token), one column per question
titled with it (a multiple-choice question one column per choice), hidden fields, then
`Response Type`, `Start Date (UTC)`, `Stage Date (UTC)`, `Submit Date (UTC)`, `Network ID` and
`Tags` (older exports: only the dates and `Network ID`). Where a second header row names the
choices or fields under their question (its `#` cell is empty: every response has a token),
it is read as part of the column names.
"""

from __future__ import annotations

from collections.abc import Sequence

from ingest.survey import Layout, clean, unique

SYSTEM = {
    "#",
    "Response Type",
    "Start Date (UTC)",
    "Stage Date (UTC)",
    "Submit Date (UTC)",
    "Network ID",
    "Tags",
    "Score",
    "Ending",
}
DROPPED = {"#", "Start Date (UTC)", "Stage Date (UTC)", "Network ID", "Score"}


def layout(rows: Sequence[list[str]]) -> Layout | None:
    """The layout of a Typeform CSV's header row(s), or None if it is not one."""
    if not rows or not rows[0]:
        return None
    names = [clean(c) for c in rows[0]]
    if names[0] != "#" or not {"Submit Date (UTC)", "Start Date (UTC)"} & set(names):
        return None
    header_rows = 1
    if len(rows) > 1 and rows[1] and not rows[1][0].strip() and any(c.strip() for c in rows[1]):
        header_rows = 2
        subs = [clean(c) for c in rows[1]] + [""] * len(names)
        names = [_joined(n, s) for n, s in zip(names, subs, strict=False)]
    names = unique(names)
    return Layout(
        format="typeform",
        names=names,
        questions=names,
        first_data_row=header_rows,
        system=frozenset(n for n in names if n in SYSTEM),
        dropped=frozenset(n for n in names if n in DROPPED),
        id="#",
        date="Submit Date (UTC)" if "Submit Date (UTC)" in names else "Start Date (UTC)",
    )


def _joined(name: str, sub: str) -> str:
    """A column named by both header rows: `Question - Choice`."""
    return f"{name} - {sub}" if name and sub and sub != name else name or sub
