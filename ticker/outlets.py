"""Outlets in one file: the `[outlets.NAME]` tables of voc-ticker.toml, and what the store keeps
of each.

An outlet posts one feed to a Slack or Microsoft Teams channel: a digest on a schedule (daily
or weekly, in the outlet's time zone) and, if asked, each new ugly comment as it is approved.
Its webhook URL is a secret: only the name of the environment variable that holds it is
configured, and the URL is read when a message is sent, never stored and never logged.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ticker.feeds import DEFAULT_FEED, FEED_NAME
from ticker.settings import SettingsError
from ticker.sources import config_tables
from ticker.store import Store, now

KINDS = ("slack", "teams")
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
KEYS = {"kind", "feed", "url_env", "digest", "instant_ugly", "timezone", "examples"}
MAX_EXAMPLES = 10
BACKOFF_CAP = timedelta(hours=1)  # the longest an instant outlet waits between failing tries


@dataclass(frozen=True)
class Schedule:
    """When a digest goes out: every day, or one day a week, at a time of the outlet's zone."""

    weekday: int | None  # 0 is Monday; None: every day
    hour: int
    minute: int

    @property
    def days(self) -> int:
        """The digest's period: the day or the week before it is sent."""
        return 1 if self.weekday is None else 7

    def __str__(self) -> str:
        at = f"{self.hour:02d}:{self.minute:02d}"
        return f"daily {at}" if self.weekday is None else f"weekly {DAYS[self.weekday]} {at}"

    @classmethod
    def parse(cls, text: str) -> Schedule:
        """ "daily 09:00" or "weekly mon 09:00"; ValueError says what it must look like."""
        words = text.lower().split()
        wanted = 'must be "daily HH:MM" or "weekly DAY HH:MM" (DAY: mon … sun)'
        if not words or words[0] not in ("daily", "weekly"):
            raise ValueError(wanted)
        if (words[0] == "daily") != (len(words) == 2) or len(words) not in (2, 3):
            raise ValueError(wanted)
        weekday = DAYS.index(words[1]) if len(words) == 3 and words[1] in DAYS else None
        if len(words) == 3 and weekday is None:
            raise ValueError(wanted)
        hour, _, minute = words[-1].partition(":")
        if not (hour.isdigit() and minute.isdigit() and int(hour) < 24 and int(minute) < 60):
            raise ValueError(f"{wanted}; {words[-1]!r} is not a time of day")
        return cls(weekday, int(hour), int(minute))


@dataclass(frozen=True)
class Outlet:
    """One configured Slack or Teams destination of one feed."""

    name: str
    kind: str  # one of KINDS
    url_env: str
    feed: str = DEFAULT_FEED
    digest: Schedule | None = None
    instant_ugly: bool = False
    timezone: str = "UTC"
    examples: int = 3  # comments of each of good, bad and ugly in a digest

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def url(self, env: Mapping[str, str] | None = None) -> str:
        """The webhook URL from the environment; SettingsError names the variable."""
        value = (os.environ if env is None else env).get(self.url_env, "").strip()
        if not value:
            raise SettingsError(f"environment variable {self.url_env} is not set")
        if not value.startswith(("https://", "http://")):
            raise SettingsError(f"environment variable {self.url_env} is not an https:// URL")
        return value


def load_outlets(config: Path | None) -> dict[str, Outlet]:
    """The outlets of a config file (none without one); SettingsError says what to fix."""
    tables = config_tables(config, "outlets", "outlet (docs/outlets.md)")
    return {name: outlet(name, table) for name, table in tables.items()}


def outlet(name: str, table: Any) -> Outlet:
    """One `[outlets.NAME]` table, checked; SettingsError names the key and the fix."""
    where = f"[outlets.{name}]"
    if not isinstance(table, dict):
        raise SettingsError(f"{where} must be a table")
    unknown = set(table) - KEYS
    if unknown:
        raise SettingsError(f"{where}: unknown key(s) {sorted(unknown)}; use {sorted(KEYS)}")
    kind = table.get("kind")
    if kind not in KINDS:
        raise SettingsError(f'{where}: kind must be "slack" or "teams", not {kind!r}')
    url_env = table.get("url_env")
    if not isinstance(url_env, str) or not url_env.strip():
        raise SettingsError(
            f"{where}: url_env must name the environment variable that holds the webhook URL "
            '(e.g. url_env = "VOC_SLACK_CX"); the URL itself never goes in the file'
        )
    feed = table.get("feed", DEFAULT_FEED)
    if not isinstance(feed, str) or not FEED_NAME.match(feed):
        raise SettingsError(f"{where}: feed must be a feed's name, like {DEFAULT_FEED!r}")
    digest = table.get("digest")
    schedule = None
    if digest is not None:
        try:
            schedule = Schedule.parse(digest) if isinstance(digest, str) else Schedule.parse("")
        except ValueError as exc:
            raise SettingsError(f"{where}: digest {exc}") from None
    instant = table.get("instant_ugly", False)
    if not isinstance(instant, bool):
        raise SettingsError(f"{where}: instant_ugly must be true or false")
    if schedule is None and not instant:
        raise SettingsError(
            f'{where}: give it a digest ("daily 09:00" or "weekly mon 09:00") or '
            "instant_ugly = true, or both"
        )
    zone = table.get("timezone", "UTC")
    try:
        ZoneInfo(zone) if isinstance(zone, str) and zone else ZoneInfo("")
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f'{where}: timezone {zone!r} must be a time zone name like "Europe/Paris" or "UTC"'
        ) from None
    examples = table.get("examples", 3)
    if not isinstance(examples, int) or isinstance(examples, bool):
        examples = -1
    if not 0 <= examples <= MAX_EXAMPLES:
        raise SettingsError(f"{where}: examples must be a whole number from 0 to {MAX_EXAMPLES}")
    return Outlet(name, kind, url_env.strip(), feed, schedule, instant, zone, examples)


# -- what the store keeps of each outlet (migration m013) ------------------------------------


def states(store: Store) -> dict[str, dict[str, Any]]:
    """Each outlet's row: last sent, last error and when, failures, next attempt, cursors."""
    return {r["name"]: r for r in store.db.query("SELECT * FROM outlets")}


def sent(store: Store, name: str) -> None:
    """A message arrived: the outlet is healthy again."""
    with store.transaction():
        _ensure(store, name)
        store.db.execute(
            "UPDATE outlets SET last_sent_at = ?, failures = 0, next_attempt_at = NULL "
            "WHERE name = ?",
            [now(), name],
        )


def failed(store: Store, name: str, error: str, retry_in: float | None) -> None:
    """A message did not arrive: keep why, count it, and say when it is tried again (None:
    not before its next digest)."""
    at = datetime.now(UTC)
    upto = None if retry_in is None else min(timedelta(seconds=retry_in), BACKOFF_CAP)
    when = None if upto is None else (at + upto).isoformat(timespec="seconds")
    with store.transaction():
        _ensure(store, name)
        store.db.execute(
            "UPDATE outlets SET last_error = ?, last_error_at = ?, failures = failures + 1, "
            "next_attempt_at = ? WHERE name = ?",
            [error, at.isoformat(timespec="seconds"), when, name],
        )


def claim_digest(store: Store, name: str, due: str) -> bool:
    """True for the one process that sends the digest due at `due`: several server processes
    run the same schedule, and a channel should get each digest once."""
    with store.transaction():
        _ensure(store, name)
        changed = store.db.execute(
            "UPDATE outlets SET digest_for = ? WHERE name = ? AND digest_for IS NOT ?",
            [due, name, due],
        ).rowcount
    return bool(changed)


def cursor(store: Store, name: str) -> tuple[int, int]:
    """Where instant posting stands: the last comment (rowid) and the last curation event
    (id) looked at. An outlet seen for the first time starts now, not at the store's start."""
    with store.transaction():
        _ensure(store, name)
        row = store.db.execute(
            "SELECT after_rowid, after_log FROM outlets WHERE name = ?", [name]
        ).fetchone()
        if row[0] is not None:
            return int(row[0]), int(row[1])
        start = store.db.execute(
            "SELECT (SELECT coalesce(max(rowid), 0) FROM verbatims), "
            "(SELECT coalesce(max(id), 0) FROM curation_log)"
        ).fetchone()
        store.db.execute(
            "UPDATE outlets SET after_rowid = ?, after_log = ? WHERE name = ?",
            [start[0], start[1], name],
        )
    return int(start[0]), int(start[1])


def advance(store: Store, name: str, old: tuple[int, int], new: tuple[int, int]) -> bool:
    """Move the cursor from `old` to `new` if no other process moved it first; False if one
    did (that process posts what lies between)."""
    with store.transaction():
        return bool(
            store.db.execute(
                "UPDATE outlets SET after_rowid = ?, after_log = ? WHERE name = ? "
                "AND after_rowid = ? AND after_log = ?",
                [*new, name, *old],
            ).rowcount
        )


def _ensure(store: Store, name: str) -> None:
    store.db.execute("INSERT OR IGNORE INTO outlets (name) VALUES (?)", [name])


def health(
    configured: Mapping[str, Outlet],
    kept: Mapping[str, dict[str, Any]],
    env: Mapping[str, str],
    next_digests: Mapping[str, str | None],
    feeds: set[str] | None = None,
) -> list[dict[str, Any]]:
    """Each outlet's state for the console and /api/v1/outlets.

    `misconfigured`: its URL's environment variable is unset or not a URL, or its feed is not
    one of `feeds` (when given); `failing`: its last
    message did not arrive (`retrying` while a retry is due); `healthy`: the last one did;
    `waiting`: nothing sent yet.
    """
    rows = []
    for name, o in sorted(configured.items()):
        row = kept.get(name, {})
        failures = int(row.get("failures") or 0)
        info: dict[str, Any] = {
            "name": name,
            "kind": o.kind,
            "feed": o.feed,
            "digest": str(o.digest) if o.digest else None,
            "timezone": o.timezone,
            "instant_ugly": o.instant_ugly,
            "last_sent_at": row.get("last_sent_at"),
            "last_error": row.get("last_error"),
            "last_error_at": row.get("last_error_at"),
            "failures": failures,
            "next_attempt_at": row.get("next_attempt_at"),
            "next_digest": next_digests.get(name),
        }
        try:
            o.url(env)
            if feeds is not None and o.feed not in feeds:
                raise SettingsError(f"no feed named {o.feed!r}: define it, or change the feed")
        except SettingsError as exc:
            info.update(status="misconfigured", last_error=str(exc))
        else:
            if failures:
                info["status"] = "retrying" if info["next_attempt_at"] else "failing"
            else:
                info["status"] = "healthy" if info["last_sent_at"] else "waiting"
        rows.append(info)
    return rows
