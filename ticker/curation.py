"""Curation actions: each changes one comment and is recorded (who, when, what)."""

from __future__ import annotations

from collections.abc import Callable

from ticker.records import Stored
from ticker.store import Store

Action = Callable[[Store, str, str, str], Stored]


def hide(store: Store, verbatim_id: str, actor: str, note: str = "") -> Stored:
    """Take a comment off every feed; its text stays in the store."""
    return store.curate(verbatim_id, "hide", actor, note, state="hidden")


def approve(store: Store, verbatim_id: str, actor: str, note: str = "") -> Stored:
    """Let feeds show a pending (or hidden) comment."""
    return store.curate(verbatim_id, "approve", actor, note, state="approved")


def pin(store: Store, verbatim_id: str, actor: str, note: str = "") -> Stored:
    """Keep a comment at the front of every feed that may show it."""
    return store.curate(verbatim_id, "pin", actor, note, pinned=1)


def unpin(store: Store, verbatim_id: str, actor: str, note: str = "") -> Stored:
    """Let a pinned comment take its place in the mix again."""
    return store.curate(verbatim_id, "unpin", actor, note, pinned=0)


ACTIONS: dict[str, Action] = {"hide": hide, "approve": approve, "pin": pin, "unpin": unpin}
