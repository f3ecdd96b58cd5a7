"""Registered screens across edges (docs/deployment.md, "Many screens").

An edge answers a screen's hello from what the origin mirrors to Redis: the registered screens
and the display tokens, by the digests of their keys. What only the origin can do goes back
through Redis: a new screen's request for a code (answered within a second or two, while the
screen waits) and registered screens' heartbeats, which the origin records as if the screens
had said hello to it. So the console shows every screen, whichever edge it is on, and only
digests travel, never a screen's key.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ticker import display_tokens, screens
from ticker.readers import Readers
from ticker.screens import RevokedKey, Screen
from ticker.store import Store, now
from web.beats import Beat, Beats
from web.desk import DeskUnavailable, StoreDesk
from web.redis_link import MIRRORED, PREFIX, TOKENS, connect, text_of

SCREENS = PREFIX + "screens"  # hash: a key's digest -> its registered screen
HELLOS = PREFIX + "hellos"  # stream: digests of new screens' keys, asking for a code
BEATS = PREFIX + "beats"  # stream: registered screens' heartbeats
ANSWER_SECONDS = 10  # how long the origin's answer to a new screen stands
ASK_SECONDS = 2.0  # how long an edge waits for it before the screen tries again
ENTRIES = 10_000  # each stream's length, about
EDGE_BEATS_SECONDS = 1.0
DIGEST = re.compile(r"^[0-9a-f]{64}$")
log = logging.getLogger("voc_ticker.screens")


def answer_key(hashed: str) -> str:
    return f"{PREFIX}pairing:{hashed}"


class RedisDesk:
    """An edge's desk (web/screen_link.py): screens answered from Redis, beats sent there."""

    def __init__(self, redis: Redis) -> None:
        self.redis = redis
        self.beats = Beats(EDGE_BEATS_SECONDS)

    async def answer(self, hashed: str) -> Screen | str | None:
        try:
            raw = await self.redis.hget(SCREENS, hashed)
            said = await self._ask(hashed) if raw is None else None
        except RedisError as exc:
            raise DeskUnavailable("screens cannot be answered now: Redis is unreachable") from exc
        if raw is not None:
            return screens.from_dict(json.loads(raw))
        if said is None:
            raise DeskUnavailable("screens cannot be answered now: the server is not answering")
        found: dict[str, Any] = json.loads(said)
        if "revoked" in found:
            raise RevokedKey(found["revoked"])
        if "screen" in found:  # registered a moment ago: the mirror is on its way
            return screens.from_dict(found["screen"])
        return found.get("code")

    async def _ask(self, hashed: str) -> bytes | str | None:
        """The origin's answer for a screen that is not registered (yet), asked if need be."""
        answer: bytes | str | None = await self.redis.get(answer_key(hashed))
        if answer is None:
            await self.redis.xadd(HELLOS, {"hash": hashed}, maxlen=ENTRIES, approximate=True)
            loop = asyncio.get_running_loop()
            deadline = loop.time() + ASK_SECONDS
            while answer is None and loop.time() < deadline:
                await asyncio.sleep(0.05)
                answer = await self.redis.get(answer_key(hashed))
        return answer

    async def record(self, taken: dict[str, Beat]) -> None:
        """Send a batch of heartbeats to the origin, one round trip (dropped while Redis is
        away, which /healthz says: the screens' next beats come anyway)."""
        pipe = self.redis.pipeline(transaction=False)
        for token_id, (at, showing, address) in taken.items():
            entry = {
                "token": token_id,
                "at": at,
                "showing": json.dumps(showing),
                "address": address,
            }
            pipe.xadd(BEATS, entry, maxlen=ENTRIES, approximate=True)  # type: ignore[arg-type]
        with contextlib.suppress(RedisError):
            await pipe.execute()


@dataclass
class OriginRelay:
    """The origin's side: mirrors screens and tokens for edges, and answers what they pass on."""

    url: str
    readers: Readers
    desk: StoreDesk
    _redis: Redis | None = field(default=None)
    _mirrored: set[str] = field(default_factory=set)  # the screens last mirrored, by digest
    _mirroring: asyncio.Lock = field(default_factory=asyncio.Lock)

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            self._redis = connect(self.url)
        return self._redis

    async def close(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()

    async def mirror(self) -> None:
        """Replace the edges' copy of the tokens and screens (a revoked one leaves both), with
        the time it was made (MIRRORED): without it edges know the copy is missing (a Redis
        that restarted empty) rather than empty. While Redis is away edges keep what they have;
        `run` writes the copy again as soon as it finds it gone. One at a time, so that an
        older read never overwrites a newer copy."""

        def both(store: Store) -> tuple[dict[str, Any], dict[str, Any]]:
            return display_tokens.by_digest(store), screens.by_digest(store)

        async with self._mirroring:
            tokens, registered = await self.readers.run(both)
            changed = self._mirrored.symmetric_difference(registered)  # registered or removed
            pipe = self.redis.pipeline(transaction=True)
            pipe.delete(TOKENS, SCREENS, *(answer_key(h) for h in changed))  # no stale answers
            if tokens:
                pipe.hset(TOKENS, mapping={k: json.dumps(v) for k, v in tokens.items()})
            if registered:
                pipe.hset(SCREENS, mapping={k: json.dumps(v) for k, v in registered.items()})
            pipe.set(MIRRORED, now())
            with contextlib.suppress(RedisError):
                await pipe.execute()
                self._mirrored = set(registered)

    async def run(self) -> None:
        """Until cancelled: answer new screens' requests and take in heartbeats from edges."""
        pause, read_from = 0.5, None
        while True:
            try:
                read_from = read_from or await self._recent()
                if not await self.redis.exists(MIRRORED):  # a start, or Redis lost its data
                    await self.mirror()
                found: Any = await self.redis.xread(read_from, count=1000, block=1000)  # type: ignore[arg-type]
                pause = 0.5
            except RedisError:  # the broker says so in /healthz; read on when it is back
                await asyncio.sleep(pause)
                pause = min(pause * 2, 3.0)
                continue
            for key, entries in found or []:
                stream = text_of(key)
                for entry_id, raw in entries:
                    read_from[stream] = text_of(entry_id)
                    fields = {text_of(k): text_of(v) for k, v in raw.items()}
                    if stream == HELLOS:
                        await self._answer(fields.get("hash", ""))
                    else:
                        self._beat(fields)

    async def _recent(self) -> dict[str, str]:
        """Where to read each stream from: as far back as an answer stands (by Redis's clock,
        which numbers the entries). A screen that asked while this origin was starting gets
        its code at its next try; older requests and beats are stale."""
        seconds, micros = await self.redis.time()
        since = f"{int(seconds) * 1000 + int(micros) // 1000 - ANSWER_SECONDS * 1000}-0"
        return {HELLOS: since, BEATS: since}

    async def _answer(self, hashed: str) -> None:
        if not DIGEST.match(hashed):
            return
        try:
            found = await self.desk.answer(hashed)
            answer: dict[str, Any] = (
                {"screen": found.to_dict()} if isinstance(found, Screen) else {"code": found}
            )
        except RevokedKey as exc:
            answer = {"revoked": str(exc)}
        except Exception:  # the database is busy: the screen asks again
            log.exception("could not answer a new screen from an edge")
            return
        with contextlib.suppress(RedisError):  # gone again: the screen asks again
            await self.redis.set(answer_key(hashed), json.dumps(answer), ex=ANSWER_SECONDS)

    def _beat(self, fields: dict[str, str]) -> None:
        try:
            showing = json.loads(fields.get("showing", "{}"))
            at = datetime.fromisoformat(fields["at"])
            token = fields["token"]
        except (KeyError, ValueError):
            return  # not a heartbeat an edge of this version sends
        if isinstance(showing, dict) and at.tzinfo is not None:
            self.desk.beats.add(token, showing, fields.get("address", ""), at.isoformat())
