"""Display tokens: who may watch a feed that is not open to the whole intranet.

A feed's `access` is "open" (any screen on the intranet, as before) or "token": its stream and
its feeds out answer only a client that presents a display token covering the feed. A token is
made per screen (by registering the screen, ticker/screens.py) or per embed, shown once, stored
as a digest, and revocable; the stream closes a revoked token's screens within a minute.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any, Literal

from ticker.accounts import digest
from ticker.store import NotFound, Store, now

Kind = Literal["screen", "embed"]
PREFIX = "vocd_"
MAX_LABEL = 200


class DisplayTokenError(ValueError):
    """A token that cannot be made as asked; the message says what to change."""


@dataclass(frozen=True)
class DisplayToken:
    id: str
    kind: Kind
    label: str
    feeds: tuple[str, ...]
    created_by: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    def covers(self, feed: str) -> bool:
        return self.revoked_at is None and feed in self.feeds

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "feeds": list(self.feeds)}


def _token(row: dict[str, Any]) -> DisplayToken:
    return DisplayToken(
        row["id"],
        row["kind"],
        row["label"],
        tuple(json.loads(row["feeds"])),
        row["created_by"],
        row["created_at"],
        row["last_used_at"],
        row["revoked_at"],
    )


def add(store: Store, label: str, feeds: list[str], actor: str) -> tuple[str, DisplayToken]:
    """A new embed's token for these feeds; returns its secret (shown once) and the token."""
    secret = PREFIX + secrets.token_urlsafe(24)
    return secret, insert(store, "embed", label, feeds, digest(secret), actor)


def insert(
    store: Store, kind: Kind, label: str, feeds: list[str], hashed: str, actor: str
) -> DisplayToken:
    """Store a token by the digest of its secret (a screen makes its own secret, so that the
    server never holds it: ticker/screens.py)."""
    label = " ".join(label.split())
    if not label or len(label) > MAX_LABEL:
        raise DisplayTokenError(f"label is 1 to {MAX_LABEL} characters: where it is shown")
    wanted = list(dict.fromkeys(feeds))
    if not wanted:
        raise DisplayTokenError("name the feed (or feeds) the token may show")
    token_id = secrets.token_hex(6)
    with store.transaction():
        for feed in wanted:
            store.feed(feed)  # NotFound names a feed that is not there
        store.db.execute(
            "INSERT INTO display_tokens (id, kind, label, feeds, hash, created_by, created_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            [token_id, kind, label, json.dumps(wanted), hashed, actor, now()],
        )
        store.record(actor, "display token", {"token": token_id, "label": label, "feeds": wanted})
    return get(store, token_id)


def get(store: Store, token_id: str) -> DisplayToken:
    rows = list(store.db.query("SELECT * FROM display_tokens WHERE id = ?", [token_id]))
    if not rows:
        raise NotFound(f"no display token {token_id!r}")
    return _token(rows[0])


def find(store: Store, secret: str) -> DisplayToken | None:
    """The live token a secret names (None: unknown or revoked)."""
    return find_hashed(store, digest(secret)) if secret.startswith(PREFIX) else None


def find_hashed(store: Store, hashed: str) -> DisplayToken | None:
    """The live token whose secret has this digest."""
    sql = "SELECT * FROM display_tokens WHERE hash = ? AND revoked_at IS NULL"
    rows = list(store.db.query(sql, [hashed]))
    return _token(rows[0]) if rows else None


def listed(store: Store, kind: str | None = None) -> list[DisplayToken]:
    where, args = ("kind = ?", [kind]) if kind else ("1", [])
    sql = f"SELECT * FROM display_tokens WHERE {where} ORDER BY created_at, id"
    return [_token(r) for r in store.db.query(sql, args)]


def live(store: Store) -> dict[str, tuple[str, ...]]:
    """Each unrevoked token's feeds, by id: what the stream checks its open screens against."""
    rows = store.db.execute("SELECT id, feeds FROM display_tokens WHERE revoked_at IS NULL")
    return {token_id: tuple(json.loads(feeds)) for token_id, feeds in rows}


def by_digest(store: Store) -> dict[str, dict[str, Any]]:
    """Each unrevoked token's id and feeds by the digest of its secret: what the origin mirrors
    to Redis for edges to check screens against (never a secret, only digests)."""
    rows = store.db.execute("SELECT hash, id, feeds FROM display_tokens WHERE revoked_at IS NULL")
    return {
        hashed: {"id": token_id, "feeds": json.loads(feeds)} for hashed, token_id, feeds in rows
    }


def set_feeds(store: Store, token_id: str, feeds: list[str]) -> None:
    """A screen's token follows the screen's feeds when its schedule changes."""
    store.db.execute(
        "UPDATE display_tokens SET feeds = ? WHERE id = ?", [json.dumps(feeds), token_id]
    )


def revoke(store: Store, token_id: str, actor: str) -> DisplayToken:
    with store.transaction():
        get(store, token_id)
        store.db.execute(
            "UPDATE display_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?",
            [now(), token_id],
        )
        store.record(actor, "display token revoked", {"token": token_id})
    return get(store, token_id)


def used(store: Store, ids: list[str], at: str) -> None:
    """When tokens were last seen, for the console (written in one statement, batched)."""
    store.db.execute(
        "UPDATE display_tokens SET last_used_at = ? WHERE id IN (SELECT value FROM json_each(?))",
        [at, json.dumps(ids)],
    )
