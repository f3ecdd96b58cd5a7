"""Open console connections, by session: signing out ends that person's at once.

A connection waits on its `ended` event beside its own polling; `end` sets the events of a
session's (or a person's) connections, so the close happens in the connection's own task.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field


@dataclass(eq=False)
class Connection:
    session: str
    email: str
    ended: asyncio.Event = field(default_factory=asyncio.Event)


class Consoles:
    def __init__(self) -> None:
        self._open: set[Connection] = set()

    @contextmanager
    def opened(self, session: str, email: str) -> Iterator[Connection]:
        conn = Connection(session, email)
        self._open.add(conn)
        try:
            yield conn
        finally:
            self._open.discard(conn)

    def end(self, session: str | None = None, email: str | None = None) -> int:
        """End the connections of a session, or of everyone signed in as `email`."""
        ended = [c for c in self._open if c.session == session or c.email == email]
        for conn in ended:
            conn.ended.set()
        return len(ended)

    def count(self) -> int:
        return len(self._open)
