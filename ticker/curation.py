"""Curation actions: each changes one comment and is recorded (who, when, what, before, after).

Every action is a function of (store, comment id, actor, …) run inside one write transaction.
`bulk` runs one action over many comments as one transaction and one batch, so one undo takes
the whole batch back. Undo applies an event's "before"; it is allowed only while the event is
still the latest on its comment, so an undo never throws away somebody's later change.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ticker import masks, spotlight
from ticker.records import ALL_BUCKETS, Stored
from ticker.rows import shown_column
from ticker.store import Store, now

HIDE_REASONS = (
    "personal data",
    "offensive or abusive",
    "not about us",
    "spam or a test",
    "duplicate",
    "about one employee",
)
MAX_NOTE = 2000
MAX_REASON = 500
MAX_BULK = 10_000
# What an undo may not take back: a customer's edit (their words), or a note's own deletion.
NOT_UNDONE = ("edit",)


class CurationError(ValueError):
    """An action that cannot be done as asked; the message says why and what to do."""


def _reason(reason: str) -> str:
    reason = " ".join(reason.split())
    if len(reason) > MAX_REASON:
        raise CurationError(f"a reason is at most {MAX_REASON} characters")
    return reason


# What each plain action changes, one table for one comment and for many at once.
CHANGES: dict[str, dict[str, Any]] = {
    "approve": {"state": "approved"},
    "hide": {"state": "hidden"},
    "pin": {"pinned": 1},
    "unpin": {"pinned": 0},
}


def approve(store: Store, verbatim_id: str, actor: str, reason: str = "", **k: Any) -> Stored:
    """Let feeds show a pending (or hidden) comment."""
    return store.curate(verbatim_id, "approve", actor, _reason(reason), **CHANGES["approve"], **k)


def hide(store: Store, verbatim_id: str, actor: str, reason: str = "", **k: Any) -> Stored:
    """Take a comment off every feed; its text stays in the store."""
    return store.curate(verbatim_id, "hide", actor, _reason(reason), **CHANGES["hide"], **k)


def pin(store: Store, verbatim_id: str, actor: str, reason: str = "", **k: Any) -> Stored:
    """Keep a comment at the front of every feed that may show it."""
    return store.curate(verbatim_id, "pin", actor, _reason(reason), **CHANGES["pin"], **k)


def unpin(store: Store, verbatim_id: str, actor: str, reason: str = "", **k: Any) -> Stored:
    """Let a pinned comment take its place in the mix again."""
    return store.curate(verbatim_id, "unpin", actor, _reason(reason), **CHANGES["unpin"], **k)


def retag(
    store: Store, verbatim_id: str, actor: str, bucket: str, reason: str = "", **k: Any
) -> Stored:
    """A curator's bucket, kept as a label (who, when, what the tagger said) to learn from."""
    if bucket not in ALL_BUCKETS:
        raise CurationError(f"bucket {bucket!r} is not one of {', '.join(ALL_BUCKETS)}")
    with store.transaction():
        row = store.row(verbatim_id)
        label = store.db.execute(
            "INSERT INTO labels (verbatim_id, bucket, tagged, actor, at) VALUES (?, ?, ?, ?, ?)",
            [verbatim_id, bucket, row["bucket"], actor, now()],
        ).lastrowid
        return store.curate(
            verbatim_id,
            "retag",
            actor,
            _reason(reason),
            extra={"label": label},
            bucket=bucket,
            bucket_by=actor,
            **k,
        )


def mask(
    store: Store,
    verbatim_id: str,
    actor: str,
    start: int,
    end: int,
    label: str = masks.DEFAULT_LABEL,
    reason: str = "",
    **k: Any,
) -> Stored:
    """Mask a span on every screen; the customer's words stay in the store."""
    with store.transaction():
        row = store.row(verbatim_id)
        text = shown_column(row)
        try:
            kept = masks.added(
                text, masks.parse(row["curator_masks"]), start, end, label, actor, now()
            )
        except masks.MaskError as exc:
            raise CurationError(str(exc)) from None
        return store.curate(
            verbatim_id, "mask", actor, _reason(reason), curator_masks=masks.dump(kept), **k
        )


def unmask(
    store: Store, verbatim_id: str, actor: str, start: int, reason: str = "", **k: Any
) -> Stored:
    """Show a masked span again."""
    with store.transaction():
        row = store.row(verbatim_id)
        try:
            kept = masks.removed(masks.parse(row["curator_masks"]), start)
        except masks.MaskError as exc:
            raise CurationError(str(exc)) from None
        return store.curate(
            verbatim_id, "unmask", actor, _reason(reason), curator_masks=masks.dump(kept), **k
        )


def note(store: Store, verbatim_id: str, actor: str, text: str, **k: Any) -> Stored:
    """An internal note on a comment: the console shows it, screens never do."""
    text = text.strip()
    if not text or len(text) > MAX_NOTE:
        raise CurationError(f"a note is 1 to {MAX_NOTE} characters")
    with store.transaction():
        store.row(verbatim_id)
        note_id = store.db.execute(
            "INSERT INTO notes (verbatim_id, actor, at, text) VALUES (?, ?, ?, ?)",
            [verbatim_id, actor, now(), text],
        ).lastrowid
        return store.curate(verbatim_id, "note", actor, extra={"note": note_id, "text": text}, **k)


def notes(store: Store, verbatim_id: str) -> list[dict[str, Any]]:
    sql = "SELECT id, actor, at, text FROM notes WHERE verbatim_id = ? ORDER BY id"
    return list(store.db.query(sql, [verbatim_id]))


@dataclass(frozen=True)
class Undone:
    event: int  # the event taken back
    stored: Stored


def undo(store: Store, event_id: int, actor: str, batch: str | None = None) -> Undone:
    """Take one event back, if nothing has happened to its comment since."""
    with store.transaction():
        event = store.event(event_id)
        vid = event["verbatim_id"]
        if event["action"] in NOT_UNDONE:
            raise CurationError(f"event {event_id} is an edit from the source; it cannot be undone")
        latest = store.latest_event(vid)
        if latest != event_id:
            raise CurationError(
                f"event {event_id} is no longer the latest on comment {vid} "
                f"(event {latest} came after it); undo that one first"
            )
        detail = json.loads(event["detail"] or "{}")
        if event["action"] == "note":
            store.db.execute("DELETE FROM notes WHERE id = ?", [detail.get("note")])
        if event["action"] == "retag":
            store.db.execute("DELETE FROM labels WHERE id = ?", [detail.get("label")])
        if event["action"] == "spotlight":  # back to the playlist, if it is still showing
            store.db.execute(
                "DELETE FROM spotlights WHERE feed = ? AND verbatim_id = ?",
                [detail.get("feed"), vid],
            )
        stored = store.curate(
            vid, "undo", actor, extra={"undoes": event_id}, batch=batch, **detail.get("before", {})
        )
        return Undone(event_id, stored)


def undo_batch(store: Store, batch: str, actor: str) -> list[int]:
    """Take a whole bulk action back at once: every one of its events, or none. Returns the
    events undone. A batch of plain actions is undone in a few statements for all."""
    with store.transaction():
        events = store.batch_events(batch)
        if not events:
            raise CurationError(f"no bulk action {batch!r}")
        again = secrets.token_hex(6)
        if any(e["action"] not in CHANGES for e in events):
            return [undo(store, e["id"], actor, batch=again).event for e in reversed(events)]
        latest = store.latest_events([e["verbatim_id"] for e in events])
        for e in events:
            if latest[e["verbatim_id"]] != e["id"]:
                raise CurationError(
                    f"comment {e['verbatim_id']} changed after this bulk action (event "
                    f"{latest[e['verbatim_id']]}); undo that first"
                )
        befores = {e["verbatim_id"]: json.loads(e["detail"])["before"] for e in events}
        extras = {e["verbatim_id"]: {"undoes": e["id"]} for e in events}
        store.curate_many(befores, "undo", actor, "", again, extras)
        return [e["id"] for e in events]


Action = Callable[..., Stored]
ACTIONS: dict[str, Action] = {
    "approve": approve,
    "hide": hide,
    "pin": pin,
    "unpin": unpin,
    "retag": retag,
    "mask": mask,
    "unmask": unmask,
    "note": note,
    "spotlight": spotlight.start,
}
BULK = ("approve", "hide", "pin", "unpin", "retag")  # what one choice can mean for many


def bulk(store: Store, ids: Sequence[str], action: str, actor: str, **args: Any) -> tuple[str, int]:
    """One action over many comments, in one transaction and one batch (one undo); returns
    the batch and how many comments it changed. A plain action is a few statements for all."""
    unique = check_bulk(ids, action)
    batch = secrets.token_hex(6)
    if action in CHANGES:
        reason = _reason(args.get("reason", ""))
        changes = dict.fromkeys(unique, CHANGES[action])
        return batch, store.curate_many(changes, action, actor, reason, batch)
    with store.transaction():
        for vid in unique:
            ACTIONS[action](store, vid, actor, batch=batch, **args)
    return batch, len(unique)


def check_bulk(ids: Sequence[str], action: str) -> list[str]:
    """The distinct ids of a bulk action that may go ahead; CurationError says why not."""
    if action not in BULK:
        raise CurationError(f"{action!r} cannot be done in bulk; one of {', '.join(BULK)}")
    unique = list(dict.fromkeys(ids))
    if not unique:
        raise CurationError("select at least one comment")
    if len(unique) > MAX_BULK:
        raise CurationError(
            f"{len(unique):,} comments selected; one bulk action takes at most {MAX_BULK:,}"
        )
    return unique
