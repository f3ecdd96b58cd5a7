"""`--client lean` (the default): raw asyncio protocols that scan the server's bytes for events."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import random
import re
import time
from typing import cast
from urllib.parse import urlsplit

from bench.fanout.frames import (
    HEARTBEAT,
    HEARTBEAT_BACK,
    MAX_HEAD,
    MESSAGE,
    MESSAGE_BACK,
    SNAPSHOT,
    TAIL,
    TYPE,
    WS_GUID,
    HandshakeError,
    frame_bounds,
    markers,
    masked_close,
    server_close_code,
)
from bench.fanout.load import EVENTS, Json, LoadBase, reason


class LeanClient(asyncio.Protocol):
    """One lean client: a handshake, then a byte scan of everything the server sends."""

    __slots__ = (
        "accept",
        "close_code",
        "head",
        "index",
        "load",
        "open",
        "ready",
        "tail",
        "transport",
    )

    def __init__(self, load: LeanLoad, ready: asyncio.Future[None], accept: bytes) -> None:
        self.load, self.accept = load, accept
        self.ready: asyncio.Future[None] | None = ready  # dropped once the snapshot is in
        self.transport: asyncio.Transport | None = None
        self.head: bytearray | None = bytearray()  # the response, until the snapshot is in
        self.index = -1  # its place in load.clients once the snapshot is in
        self.tail = b""
        self.open = False
        self.close_code: int | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        if self.head is None:
            self.scan(data)
        else:
            try:
                self._handshake(data)
            except Exception as exc:  # (a HandshakeError, or a snapshot that is not JSON)
                self._fail(exc)

    def connection_lost(self, exc: Exception | None) -> None:
        if self.open:
            self.open = False
            if self.close_code is None:  # a close frame split over reads, or none: 1006
                self.close_code = server_close_code(self.tail) or 1006
            self.load.open_count -= 1
            self.load.changed.set()
        elif self.ready is not None and not self.ready.done():
            self.ready.set_exception(exc or ConnectionResetError("closed during the handshake"))
        self.transport = None

    def _fail(self, exc: Exception) -> None:
        if self.ready is not None and not self.ready.done():
            self.ready.set_exception(exc)
        self.abort()

    def abort(self) -> None:
        """Drop the connection at once."""
        if self.transport is not None:
            self.transport.abort()

    def goodbye(self) -> None:
        """Start a polite close: our close frame; the server answers and closes the socket."""
        if self.transport is not None and self.open and self.close_code is None:
            self.close_code = 1000
            self.transport.write(masked_close())

    def _handshake(self, data: bytes) -> None:
        """Collect the 101 response and the whole first frame, which must be the snapshot."""
        head = self.head
        assert head is not None
        head += data
        end = head.find(b"\r\n\r\n")
        if end < 0:
            if len(head) > MAX_HEAD:
                raise HandshakeError("response head too long")
            return
        if self.accept:  # the response head, checked once
            lines = bytes(head[:end]).split(b"\r\n")
            if not lines[0].startswith(b"HTTP/1.1 101 "):
                raise HandshakeError(f"status {lines[0][9:12].decode(errors='replace')}")
            fields = (line.partition(b":") for line in lines[1:])
            accept = {name.strip().lower(): value.strip() for name, _, value in fields}
            if accept.get(b"sec-websocket-accept") != self.accept:
                raise HandshakeError("bad Sec-WebSocket-Accept")
            self.accept = b""
        bounds = frame_bounds(head, end + 4)
        if bounds is None:
            return
        start, stop = bounds
        if head[end + 4] != 0x81 or not head.startswith(SNAPSHOT, start):
            raise HandshakeError(
                f"first frame is not a snapshot: {bytes(head[start : start + 40])!r}"
            )
        load = self.load
        if not load.snapshot_ids:
            items = json.loads(head[start:stop]).get("items", [])
            load.snapshot_ids = [str(item["id"]) for item in items]
        rest = bytes(head[stop:])
        self.head = None
        self.index, self.open = len(load.clients), True
        load.clients.append(self)
        load.open_count += 1
        ready, self.ready = self.ready, None
        if ready is not None and not ready.done():
            ready.set_result(None)
        if rest:
            self.scan(rest)

    def scan(self, data: bytes) -> None:
        """Count messages, and timestamp the first sighting of each watched marker."""
        load, tail = self.load, self.tail
        buf = tail + data if tail else data
        keep = len(tail)  # a match must end in the new bytes: none is counted twice
        load.received += buf.count(MESSAGE, max(0, keep - MESSAGE_BACK)) - buf.count(
            HEARTBEAT, max(0, keep - HEARTBEAT_BACK)
        )
        if load.pattern is not None:  # one regex pass: bytes.find is slow for long needles
            found = load.pattern.search(buf, max(0, keep - load.pattern_back))
            while found is not None:
                key, seen = load.watch[found.lastindex or 0]
                if self.index not in seen:
                    seen[self.index] = time.time()
                    load.counts[key] += 1
                    if load.counts[key] >= load.open_count:
                        load.changed.set()
                found = load.pattern.search(buf, found.end())
        if b"\x88" in data and self.close_code is None:  # (one split over reads: see below)
            code = server_close_code(buf)
            if code is not None and self.transport is not None:
                self.close_code = code
                self.transport.write(masked_close())  # the close handshake's answer
                self.transport.close()
        self.tail = buf[-load.tail_len :]


class LeanLoad(LoadBase):
    """`--client lean` (default): raw asyncio protocols, one small object per client, no tasks."""

    def __init__(self, url: str, count: int, concurrency: int, open_timeout: float) -> None:
        super().__init__(count, concurrency, open_timeout)
        parts = urlsplit(url)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        # the upgrade request around each client's key; no Origin, like the websockets client
        self.request = (
            f"GET {path} HTTP/1.1\r\nHost: {parts.netloc}\r\nUpgrade: websocket\r\n"
            "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: "
        ).encode()
        self.clients: list[LeanClient] = []
        # the armed id's `remove` and `add` markers as regex groups 1 and 2, and for each group
        # its key and {client index: when that client first saw it}
        self.pattern: re.Pattern[bytes] | None = None
        self.pattern_back = 0
        self.watch: list[tuple[tuple[str, str], dict[int, float]]] = []
        self.seen: dict[tuple[str, str], dict[int, float]] = {}
        self.tail_len = TAIL

    async def _open(self, gate: asyncio.Semaphore) -> float | None:
        loop = asyncio.get_running_loop()
        async with gate:
            start = time.monotonic()
            key = base64.b64encode(random.randbytes(16))
            accept = base64.b64encode(hashlib.sha1(key + WS_GUID).digest())
            client = LeanClient(self, loop.create_future(), accept)
            try:
                async with asyncio.timeout(self.open_timeout):
                    transport, _ = await loop.create_connection(
                        lambda: client, self.host, self.port
                    )
                    transport.write(self.request + key + b"\r\n\r\n")
                    if client.ready is not None:
                        await client.ready
            except Exception as exc:
                if client.index < 0:  # (a timeout may land just after the snapshot did)
                    client.abort()
                    what = exc.what if isinstance(exc, HandshakeError) else ""
                    self.errors[f"HandshakeError({what})" if what else reason(exc)] += 1
                    return None
            return time.monotonic() - start

    def arm(self, ident: str) -> Json:
        """Only the armed id is looked for: hides run one after another."""
        answer = super().arm(ident)
        remove, add = markers(ident)
        # their common literal prefix outside the groups, or the regex engine crawls (~25x)
        after = [re.escape(m.removeprefix(TYPE)) for m in (remove, add)]
        self.pattern = re.compile(re.escape(TYPE) + b"(?:(%s)|(%s))" % tuple(after))
        self.pattern_back = max(len(remove), len(add)) - 1
        self.watch = [(("", ""), {})]  # (group 0: the whole match, never a lastindex)
        self.watch += [((kind, ident), self.seen[(kind, ident)]) for kind in EVENTS]
        self.tail_len = max(TAIL, self.pattern_back)
        return answer

    def _forget(self, ident: str) -> None:
        for kind in EVENTS:
            self.seen[(kind, ident)] = {}

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        seen = self.seen.get(key, {})
        return list(seen.values()), sum(1 for c in self.clients if c.open and c.index not in seen)

    async def close(self) -> None:
        for client in self.clients:
            client.goodbye()
        await self._wait_until(lambda: self.open_count <= 0, 10)
        for client in self.clients:
            client.abort()
