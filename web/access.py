"""Who may watch: a feed open to the intranet streams to anyone the stream admits; a feed whose
access is "token" streams only to a display token that covers it (ticker/display_tokens.py).

A token comes in the query string (`?token=`), because players and `<iframe>`s cannot send
headers; web/logs.py keeps it out of the logs. Open screens are checked again every
`display_token_check_seconds`, and at once after a revocation in this process, so a revoked
token's screens go dark within a minute, whichever process revoked it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable, Iterator
from typing import Any, Protocol

from ticker import display_tokens
from ticker.feeds import Feed
from ticker.readers import Readers
from ticker.store import Store
from web.session import UNAVAILABLE, Close, closing

FORBIDDEN = 4403
Closer = Callable[[Close], Awaitable[None]]
log = logging.getLogger("voc_ticker.access")


def needs_token(feed: Feed) -> bool:
    return feed.access == "token"


def refusal(feed: str, secret: str | None) -> Close:
    said = (
        "its display token is unknown or was revoked"
        if secret
        else "it needs a display token (?token=)"
    )
    return closing(
        FORBIDDEN,
        "forbidden",
        f"feed {feed!r} is not open to every screen: {said}; ask your CX team for a new link",
    )


def covering(store: Store, feed: str, secret: str | None) -> str | None:
    """The id of the live token that lets `secret` watch `feed`, else None."""
    token = display_tokens.find(store, secret) if secret else None
    return token.id if token is not None and token.covers(feed) else None


class TokensUnavailable(Exception):
    """The tokens cannot be read now (an edge without Redis that has not seen this one)."""


class Tokens(Protocol):
    """Where a process learns feeds' access and display tokens: the store (the origin), or
    what the origin mirrors to Redis (an edge, web/edge.py)."""

    def access_now(self, feed: str) -> str | None:
        """The access of a feed screens watch here ("open" or "token"); None: not known now."""
        ...

    async def access_of(self, feed: str) -> str:
        """The access of a feed known to exist (read if need be)."""
        ...

    async def covering(self, feed: str, secret: str | None) -> str | None:
        """The id of the live token that lets `secret` watch `feed`, else None;
        TokensUnavailable when that cannot be told now."""
        ...

    async def live(self) -> dict[str, tuple[str, ...]]:
        """Every unrevoked token's feeds, by id; TokensUnavailable when not known now."""
        ...


class StoreTokens:
    """The origin's: the feeds its playlists follow, and the store."""

    def __init__(self, readers: Readers, feed_of: Callable[[str], Feed | None]) -> None:
        self._readers = readers
        self._feed_of = feed_of

    def access_now(self, feed: str) -> str | None:
        found = self._feed_of(feed)
        return found.access if found is not None else None

    async def access_of(self, feed: str) -> str:
        now = self.access_now(feed)
        if now is not None:
            return now
        found: Feed = await self._readers.run(lambda s: s.feed(feed))
        return found.access

    async def covering(self, feed: str, secret: str | None) -> str | None:
        found: str | None = await self._readers.run(lambda s: covering(s, feed, secret))
        return found

    async def live(self) -> dict[str, tuple[str, ...]]:
        found: dict[str, tuple[str, ...]] = await self._readers.run(display_tokens.live)
        return found


class Access:
    """The open screens of token feeds, and the sweep that closes those no longer allowed."""

    def __init__(
        self,
        tokens: Tokens,
        every: float,
        mirror: Callable[[], Awaitable[None]] | None = None,
    ) -> None:
        self._tokens = tokens
        self._every = max(every, 0.5)
        self._mirror = mirror  # the origin's copy of tokens and screens for edges, each round
        self._watching: dict[object, tuple[str, str | None, Closer]] = {}
        self._wake = asyncio.Event()

    async def admit(self, feed: str, secret: str | None) -> str | Close | None:
        """The id of the token that covers the feed, None for an open feed without one, or
        why not (call it once the feed is known to exist). A token is kept on an open feed too:
        should the feed turn to tokens, the screens that have one stay."""
        if await self._tokens.access_of(feed) != "token":
            if secret is None:
                return None
            with contextlib.suppress(TokensUnavailable):  # open: it watches regardless
                return await self._tokens.covering(feed, secret)
            return None
        try:
            found = await self._tokens.covering(feed, secret)
        except TokensUnavailable:  # not "revoked": the screen tries again soon, keeping its copy
            return closing(UNAVAILABLE, "feed_unavailable", "display tokens cannot be checked now")
        return found if found is not None else refusal(feed, secret)

    @contextlib.contextmanager
    def watching(self, key: object, feed: str, token: str | None, close: Closer) -> Iterator[None]:
        """Keep an open screen in view for the sweep while it is connected."""
        self._watching[key] = (feed, token, close)
        try:
            yield
        finally:
            self._watching.pop(key, None)

    def sweep_soon(self) -> None:
        """After a revocation or a change here: check (and mirror to edges) now, not at the
        next round."""
        self._wake.set()

    async def mirror_now(self) -> None:
        """After a new token or screen here: on the edges before the console hears it is made,
        so a screen that uses it at once is not turned away there (should that fail, at the
        next round; the answer, with a token's one-time secret, goes out regardless)."""
        try:
            if self._mirror is not None:
                await self._mirror()
        except Exception:
            log.exception("display tokens could not be mirrored now; trying again soon")
            self.sweep_soon()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(self._every):
                    await self._wake.wait()
            self._wake.clear()
            try:
                if self._mirror is not None:
                    await self._mirror()
                await self.sweep()
            except Exception:  # a locked database or Redis away: try again next round
                log.exception("display token check failed")

    async def sweep(self) -> int:
        """Close every open screen its feed no longer lets watch; returns how many."""
        if not self._watching:
            return 0
        # Only screens admitted before the tokens are read: one admitted meanwhile may hold a
        # token made after that read; the next round judges it.
        watching = list(self._watching.items())
        try:
            live = await self._tokens.live()
        except TokensUnavailable:  # an edge that cannot tell now: nobody is closed for it
            return 0
        gone: list[tuple[object, str, str | None, Closer]] = []
        for key, (feed, token, close) in watching:
            if key not in self._watching or self._tokens.access_now(feed) != "token":
                continue
            if token is None or feed not in live.get(token, ()):
                gone.append((key, feed, token, close))
        for key, feed, token, close in gone:
            self._watching.pop(key, None)
            await close(refusal(feed, token))
        if gone:
            log.info("closed %d screens no longer allowed to watch", len(gone))
        return len(gone)


def token_param(params: Any) -> str | None:
    """The token a client sent in its query string, if any."""
    value = params.get("token")
    return str(value) if value else None
