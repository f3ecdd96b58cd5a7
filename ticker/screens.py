"""Office screens: registered once with a short code, then known by name, place and heartbeat.

A new screen opens `/screen`, makes its own secret key and shows a short code. A curator types
the code into the console with the screen's name, location and what it shows (a feed, or a
schedule of feeds by weekday and time of day). The key becomes the screen's display token
(ticker/display_tokens.py) without the server ever holding it; the screen then sends a
heartbeat with what it shows now, and the console tells online from offline.
"""

from __future__ import annotations

import json
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticker import display_tokens
from ticker.accounts import digest
from ticker.store import NotFound, Store, now

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY3479"  # no 0/O, 1/I/L, 2/Z, 5/S, 6/G, 8/B: read across a room
CODE_LENGTH = 6
PAIRING_LIFE = timedelta(minutes=30)
KEY = re.compile(rf"^{display_tokens.PREFIX}[A-Za-z0-9_-]{{32,86}}$")
TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$|^24:00$")
MAX_SLOTS = 50
MAX_TEXT = 200
FIELDS = ("name", "location", "feed", "schedule", "timezone")  # what a curator sets


class ScreenError(ValueError):
    """A screen or schedule that cannot be saved; the message says what to change."""


class RevokedKey(ScreenError):
    """A key whose screen was removed: it may not pair again."""


@dataclass(frozen=True)
class Slot:
    """Show `feed` on these weekdays from `start` to `end` (local time of the screen)."""

    days: tuple[str, ...]
    start: str
    end: str
    feed: str

    def minutes(self) -> tuple[int, int]:
        return _minute(self.start), _minute(self.end)

    def to_dict(self) -> dict[str, Any]:
        return {"days": list(self.days), "start": self.start, "end": self.end, "feed": self.feed}

    def __str__(self) -> str:
        return f"{','.join(self.days)} {self.start}-{self.end} {self.feed}"


def _minute(hhmm: str) -> int:
    hours, minutes = hhmm.split(":")
    return int(hours) * 60 + int(minutes)


def schedule_of(raw: Any) -> tuple[Slot, ...]:
    """A schedule from its JSON form; ScreenError names a bad slot or two that overlap."""
    if not isinstance(raw, list) or len(raw) > MAX_SLOTS:
        raise ScreenError(f"schedule is a list of at most {MAX_SLOTS} slots")
    slots = []
    for number, entry in enumerate(raw, start=1):
        where = f"schedule slot {number}"
        if not isinstance(entry, dict):
            raise ScreenError(f"{where} is an object with days, start, end and feed")
        days = entry.get("days")
        if not isinstance(days, list) or not days or not set(days) <= set(DAYS):
            raise ScreenError(f"{where}: days are some of {', '.join(DAYS)}")
        start, end, feed = entry.get("start"), entry.get("end"), entry.get("feed")
        for name, value in (("start", start), ("end", end)):
            if not isinstance(value, str) or not TIME.match(value):
                raise ScreenError(f"{where}: {name} is a time of day, HH:MM (24:00 ends a day)")
        assert isinstance(start, str) and isinstance(end, str)
        if _minute(end) <= _minute(start):
            raise ScreenError(f"{where}: it ends at {end}, not after it starts at {start}")
        if not isinstance(feed, str) or not feed:
            raise ScreenError(f"{where}: name the feed it shows")
        slots.append(Slot(tuple(d for d in DAYS if d in days), start, end, feed))
    _no_overlap(slots)
    return tuple(slots)


def _no_overlap(slots: list[Slot]) -> None:
    for i, one in enumerate(slots):
        for j, other in enumerate(slots[i + 1 :], start=i + 1):
            shared = [d for d in one.days if d in other.days]
            (a0, a1), (b0, b1) = one.minutes(), other.minutes()
            if shared and a0 < b1 and b0 < a1:
                at = max(a0, b0)
                raise ScreenError(
                    f"schedule slots {i + 1} ({one}) and {j + 1} ({other}) overlap on "
                    f"{shared[0]} from {at // 60:02d}:{at % 60:02d}; make one end before the "
                    "other starts"
                )


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ScreenError(
            f"unknown time zone {name!r}: use an IANA name such as Europe/Berlin"
        ) from None


@dataclass(frozen=True)
class Screen:
    id: str
    name: str
    location: str
    feed: str  # shown outside the schedule's slots
    schedule: tuple[Slot, ...]
    timezone: str
    token_id: str
    registered_by: str
    registered_at: str
    last_seen_at: str | None
    showing: dict[str, Any] | None
    address: str | None

    def feed_at(self, when: datetime) -> str:
        """What the screen shows at `when`: its schedule's slot then, else its own feed."""
        local = when.astimezone(zone(self.timezone))
        day, minute = DAYS[local.weekday()], local.hour * 60 + local.minute
        for slot in self.schedule:
            start, end = slot.minutes()
            if day in slot.days and start <= minute < end:
                return slot.feed
        return self.feed

    def status(self, when: datetime, online_seconds: float, offline_minutes: float) -> str:
        """`online`, `offline` (missed its heartbeats), `lost` (offline longer than an admin
        accepts: flagged) or `waiting` (registered, never seen)."""
        if self.last_seen_at is None:
            return "waiting"
        gone = (when - datetime.fromisoformat(self.last_seen_at)).total_seconds()
        if gone <= online_seconds:
            return "online"
        return "lost" if gone > offline_minutes * 60 else "offline"

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "schedule": [s.to_dict() for s in self.schedule]}


def _screen(row: dict[str, Any]) -> Screen:
    return Screen(
        **{
            **row,
            "schedule": schedule_of(json.loads(row["schedule"])),
            "showing": json.loads(row["showing"]) if row["showing"] else None,
        }
    )


def _text(fields: dict[str, Any], name: str) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise ScreenError(f"{name} is 1 to {MAX_TEXT} characters")
    return " ".join(value.split())


def _checked(store: Store, fields: dict[str, Any]) -> dict[str, Any]:
    name, location = _text(fields, "name"), _text(fields, "location")
    schedule = schedule_of(fields.get("schedule") or [])
    timezone = fields.get("timezone") or "UTC"
    if not isinstance(timezone, str):
        raise ScreenError("timezone is an IANA name such as Europe/Berlin")
    zone(timezone)
    feed = fields.get("feed")
    if not isinstance(feed, str) or not feed:
        raise ScreenError("feed names what the screen shows outside its schedule")
    feeds = list(dict.fromkeys([feed, *(s.feed for s in schedule)]))
    for shown in feeds:
        store.feed(shown)  # NotFound names a feed that is not there
    return {
        "name": name,
        "location": location,
        "feed": feed,
        "schedule": json.dumps([s.to_dict() for s in schedule]),
        "timezone": timezone,
        "feeds": feeds,
    }


# -- pairing ------------------------------------------------------------------------------------


def key_digest(key: str) -> str:
    """The digest a screen is known by: its key itself is never stored, nor sent on."""
    if not KEY.match(key):
        raise ScreenError("a screen's key is the one /screen made; open /screen again")
    return digest(key)


def waiting_code(store: Store, hashed: str) -> str | None:
    """The code a screen still waiting to be registered shows (None: it has none yet)."""
    row = store.db.execute(
        "SELECT code FROM screen_pairings WHERE hash = ? AND screen_id IS NULL AND expires_at >= ?",
        [hashed, datetime.now(UTC).isoformat()],
    ).fetchone()
    return str(row[0]) if row else None


def waiting(store: Store) -> int:
    """Screens showing a code now."""
    sql = "SELECT count(*) FROM screen_pairings WHERE screen_id IS NULL AND expires_at >= ?"
    return int(store.db.execute(sql, [datetime.now(UTC).isoformat()]).fetchone()[0])


def pair(store: Store, hashed: str) -> str:
    """The code a new screen shows until a curator registers it (the same code for the same
    key, so a reload shows what the curator may already be typing). A key that was a screen's
    once is spent: the screen makes a new one (RevokedKey)."""
    stamp = datetime.now(UTC)
    with store.transaction():
        store.db.execute("DELETE FROM screen_pairings WHERE expires_at < ?", [stamp.isoformat()])
        spent = store.db.execute("SELECT 1 FROM display_tokens WHERE hash = ?", [hashed])
        if spent.fetchone() is not None:
            raise RevokedKey("this screen's key was revoked: it makes a new one")
        row = store.db.execute(
            "SELECT code FROM screen_pairings WHERE hash = ?", [hashed]
        ).fetchone()
        if row is not None:
            return str(row[0])
        code = _fresh_code(store)
        store.db.execute(
            "INSERT INTO screen_pairings (code, hash, created_at, expires_at) VALUES (?, ?, ?, ?)",
            [code, hashed, stamp.isoformat(), (stamp + PAIRING_LIFE).isoformat()],
        )
    return code


def _fresh_code(store: Store) -> str:
    while True:
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        taken = store.db.execute("SELECT 1 FROM screen_pairings WHERE code = ?", [code])
        if taken.fetchone() is None:
            return code


def normal_code(code: str) -> str:
    """What a person typed ("k7p 4qx", "K7P-4QX") as the code the screen shows."""
    return re.sub(r"[\s-]", "", code).upper()


def register(store: Store, code: str, fields: dict[str, Any], actor: str) -> Screen:
    """Register the screen that shows `code`: it becomes known, with its own display token."""
    with store.transaction():
        checked = _checked(store, fields)
        row = store.db.execute(
            "SELECT hash, screen_id FROM screen_pairings WHERE code = ? AND expires_at >= ?",
            [normal_code(code), datetime.now(UTC).isoformat()],
        ).fetchone()
        if row is None:
            raise ScreenError(
                f"no screen shows the code {code!r}: check it on the screen (codes last "
                f"{PAIRING_LIFE.seconds // 60} minutes; a reload of /screen shows it again)"
            )
        hashed, claimed = row
        if claimed is not None:
            raise ScreenError(f"the screen showing {code!r} is registered already")
        screen_id = secrets.token_hex(4)
        token = display_tokens.insert(
            store, "screen", f"screen {checked['name']}", checked["feeds"], hashed, actor
        )
        store.db.execute(
            "INSERT INTO screens (id, name, location, feed, schedule, timezone, token_id, "
            "registered_by, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                screen_id,
                *(checked[k] for k in FIELDS),
                token.id,
                actor,
                now(),
            ],
        )
        store.db.execute(
            "UPDATE screen_pairings SET screen_id = ? WHERE code = ?",
            [screen_id, normal_code(code)],
        )
        store.record(actor, "screen registered", {"screen": screen_id, **checked})
    return get(store, screen_id)


def paired(store: Store, hashed: str) -> Screen | None:
    """The screen a key belongs to, once registered (None: still waiting, or removed)."""
    token = display_tokens.find_hashed(store, hashed)
    return by_token(store, token.id) if token is not None else None


def by_digest(store: Store) -> dict[str, dict[str, Any]]:
    """Each registered screen by its key's digest: what the origin mirrors to Redis, so that
    edges answer screens' heartbeats (web/screen_relay.py)."""
    sql = (
        "SELECT t.hash AS key_hash, s.* FROM screens s JOIN display_tokens t ON t.id = s.token_id"
        " WHERE t.revoked_at IS NULL"
    )
    return {row.pop("key_hash"): _screen(row).to_dict() for row in store.db.query(sql)}


def from_dict(fields: dict[str, Any]) -> Screen:
    """A screen as `Screen.to_dict` gave it (an edge's copy)."""
    return Screen(**{**fields, "schedule": schedule_of(fields["schedule"])})


# -- registered screens -------------------------------------------------------------------------


def get(store: Store, screen_id: str) -> Screen:
    rows = list(store.db.query("SELECT * FROM screens WHERE id = ?", [screen_id]))
    if not rows:
        raise NotFound(f"no screen {screen_id!r}")
    return _screen(rows[0])


def by_token(store: Store, token_id: str) -> Screen | None:
    rows = list(store.db.query("SELECT * FROM screens WHERE token_id = ?", [token_id]))
    return _screen(rows[0]) if rows else None


def listed(store: Store) -> list[Screen]:
    return [_screen(r) for r in store.db.query("SELECT * FROM screens ORDER BY location, name")]


def change(store: Store, screen_id: str, fields: dict[str, Any], actor: str) -> Screen:
    """A new name, place, feed or schedule; its token follows, and the screen on its next
    heartbeat."""
    with store.transaction():
        screen = get(store, screen_id)
        checked = _checked(store, fields)
        store.db.execute(
            "UPDATE screens SET name = ?, location = ?, feed = ?, schedule = ?, timezone = ? "
            "WHERE id = ?",
            [
                *(checked[k] for k in FIELDS),
                screen_id,
            ],
        )
        display_tokens.set_feeds(store, screen.token_id, checked["feeds"])
        store.record(actor, "screen changed", {"screen": screen_id, **checked})
    return get(store, screen_id)


def remove(store: Store, screen_id: str, actor: str) -> None:
    """Forget a screen and revoke its token: it goes dark within a minute, then shows a code."""
    with store.transaction():
        screen = get(store, screen_id)
        display_tokens.revoke(store, screen.token_id, actor)
        store.db.execute("DELETE FROM screens WHERE id = ?", [screen_id])
        store.db.execute("DELETE FROM screen_pairings WHERE screen_id = ?", [screen_id])
        store.record(actor, "screen removed", {"screen": screen_id, "name": screen.name})


def seen(store: Store, beats: dict[str, tuple[str, dict[str, Any], str]]) -> None:
    """Heartbeats by token id (when, what it showed, from where), written in one go."""
    store.db.conn.executemany(
        "UPDATE screens SET last_seen_at = ?, showing = ?, address = ? WHERE token_id = ?",
        [
            (at, json.dumps(showing, ensure_ascii=False), address, token_id)
            for token_id, (at, showing, address) in beats.items()
        ],
    )
    display_tokens.used(store, list(beats), max((at for at, _, _ in beats.values()), default=now()))
