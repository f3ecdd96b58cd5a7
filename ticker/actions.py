""" "You said, we did": what the company did about what customers said, shown beside it.

A curator writes an action note (what customers said, what was done, who owns it, its status
and date) and links it to the comments it answers. Screens show it as its own kind of card,
right after the first of those comments in the playlist; feeds out carry it the same way.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, get_args

from ticker.protocol import Item
from ticker.store import NotFound, Store, now

Status = Literal["planned", "in progress", "done"]
STATUSES: tuple[Status, ...] = get_args(Status)
MAX_TEXT = 500
MAX_LINKS = 200
SOURCE = "You said, we did"


class ActionError(ValueError):
    """An action note that cannot be saved; the message says which field and why."""


@dataclass(frozen=True)
class ActionNote:
    id: int
    you_said: str
    we_did: str
    owner: str
    status: Status
    due: str | None
    actor: str
    created_at: str
    updated_at: str
    comments: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "comments": list(self.comments)}

    def to_item(self) -> Item:
        """The card screens show (an item of bucket `action`, docs/protocol.md)."""
        return {
            "id": f"action-{self.id}",
            "text": f"You said: {self.you_said} We did: {self.we_did}",
            "bucket": "action",
            "score": None,
            "scale": None,
            "source": SOURCE,
            "given_at": self.due,
            "pinned": False,
            "meta": {"status": self.status, "owner": self.owner},
        }


def _checked(fields: dict[str, Any]) -> dict[str, Any]:
    for name in ("you_said", "we_did", "owner"):
        value = fields.get(name)
        if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
            raise ActionError(f"{name} is 1 to {MAX_TEXT} characters")
        fields[name] = " ".join(value.split())
    if fields.get("status") not in STATUSES:
        raise ActionError(f"status is one of {', '.join(STATUSES)}")
    due = fields.get("due")
    if due is not None and (not isinstance(due, str) or len(due) < 10 or due[4] != "-"):
        raise ActionError("due is a date, YYYY-MM-DD")
    return fields


def save(
    store: Store,
    actor: str,
    fields: dict[str, Any],
    comments: list[str],
    note_id: int | None = None,
) -> ActionNote:
    """Create a note (or change note `note_id`) linked to these comments; logged on each."""
    fields = _checked(dict(fields))
    links = list(dict.fromkeys(comments))
    if not links or len(links) > MAX_LINKS:
        raise ActionError(f"link the note to 1 to {MAX_LINKS} comments it answers")
    stamp = now()
    with store.transaction():
        for vid in links:
            store.row(vid)  # NotFound names a comment that is not there
        values = [
            fields["you_said"],
            fields["we_did"],
            fields["owner"],
            fields["status"],
            fields.get("due"),
        ]
        if note_id is None:
            note_id = store.db.execute(
                "INSERT INTO action_notes (you_said, we_did, owner, status, due, actor, "
                "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [*values, actor, stamp, stamp],
            ).lastrowid
        else:
            done = store.db.execute(
                "UPDATE action_notes SET you_said = ?, we_did = ?, owner = ?, status = ?, due = ?, "
                "updated_at = ? WHERE id = ?",
                [*values, stamp, note_id],
            )
            if not done.rowcount:
                raise NotFound(f"no action note {note_id}")
            store.db.execute("DELETE FROM action_links WHERE note = ?", [note_id])
        store.db.conn.executemany(
            "INSERT INTO action_links (note, verbatim_id) VALUES (?, ?)",
            [(note_id, vid) for vid in links],
        )
        for vid in links:
            store.curate(vid, "action note", actor, extra={"note": note_id, **fields})
    assert note_id is not None
    return get(store, note_id)


def remove(store: Store, note_id: int, actor: str) -> None:
    with store.transaction():
        note = get(store, note_id)
        store.db.execute("DELETE FROM action_links WHERE note = ?", [note_id])
        store.db.execute("DELETE FROM action_notes WHERE id = ?", [note_id])
        for vid in note.comments:
            store.curate(vid, "action note removed", actor, extra={"note": note_id})


def _notes(store: Store, where: str, args: list[Any]) -> list[ActionNote]:
    rows = list(store.db.query(f"SELECT * FROM action_notes WHERE {where} ORDER BY id", args))
    links: dict[int, list[str]] = {}
    for note, vid in store.db.execute(
        "SELECT note, verbatim_id FROM action_links WHERE note IN "
        "(SELECT value FROM json_each(?)) ORDER BY rowid",
        [json.dumps([r["id"] for r in rows])],
    ):
        links.setdefault(note, []).append(vid)
    return [ActionNote(**r, comments=tuple(links.get(r["id"], ()))) for r in rows]


def get(store: Store, note_id: int) -> ActionNote:
    found = _notes(store, "id = ?", [note_id])
    if not found:
        raise NotFound(f"no action note {note_id}")
    return found[0]


def listed(store: Store, status: str | None = None) -> list[ActionNote]:
    """Every note, or those of one status, oldest first."""
    if status is None:
        return _notes(store, "1", [])
    if status not in STATUSES:
        raise ActionError(f"status is one of {', '.join(STATUSES)}")
    return _notes(store, "status = ?", [status])


def woven(store: Store, items: list[Item]) -> list[Item]:
    """The playlist with each note's card right after the first comment it answers."""
    ids = [i["id"] for i in items]
    found = store.db.execute(
        "SELECT l.verbatim_id, l.note FROM action_links l WHERE l.verbatim_id IN "
        "(SELECT value FROM json_each(?))",
        [json.dumps(ids)],
    ).fetchall()
    if not found:
        return items
    by_comment: dict[str, list[int]] = {}
    for vid, note in found:
        by_comment.setdefault(vid, []).append(note)
    notes = {
        n.id: n
        for n in _notes(
            store,
            "id IN (SELECT value FROM json_each(?))",
            [json.dumps(sorted({n for _, n in found}))],
        )
    }
    placed: set[int] = set()
    out: list[Item] = []
    for item in items:
        out.append(item)
        for note in sorted(by_comment.get(item["id"], [])):
            if note not in placed and note in notes:
                placed.add(note)
                out.append(notes[note].to_item())
    return out
