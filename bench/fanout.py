"""Fan-out benchmark: hide a comment, then time until the LAST of N websocket clients sees it go.

Run from the repository root, e.g. `python -m bench.fanout --clients 1000,5000,10000,max`.

The coordinator (this process) makes a temporary database, starts the server (or uses `--url`),
spreads the clients over load processes (this module run with `--worker`, spoken to in JSON
lines over stdin/stdout), hides and re-approves comments through the store, and prints a table:
connect time, failed connections, hide-to-`remove` latency over every client of every hide
(p50, p99, max) and the server's memory per connection (VmRSS growth / connected clients).
Everything stays on 127.0.0.1 and every wait is bounded; children are stopped on exit.

The load processes share the host's cores with the server, so by default (`--client lean`) their
clients are raw asyncio protocols that do the handshake, then only scan the server's bytes for
the events being timed; `--client websockets` uses the library's client, which parses every frame
and costs the load several times the server's CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import ctypes
import hashlib
import json
import math
import os
import random
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast
from urllib.parse import urlsplit

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "sample_feedback" / "support_csat.csv"
FD_MARGIN = 1000  # files a process keeps besides its sockets, with room to spare
LOOPBACK = {"127.0.0.1", "localhost"}
ACTOR = "bench-fanout"
QUIET_GAP = 0.3  # seconds without a message that mean a hide's fan-out is over
Json = dict[str, Any]


# -- shared helpers ---------------------------------------------------------------------------


def raise_nofile() -> int:
    """Lift the soft open-files limit to the hard one, so a process can hold its share."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return int(resource.getrlimit(resource.RLIMIT_NOFILE)[0])


def percentile(values: Sequence[float], q: float) -> float | None:
    """Nearest-rank percentile: a value some client actually saw, never an interpolation."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


def proc_rss_kb(pid: int) -> int | None:
    """Resident memory from /proc (VmRSS), the number the brief asks for; None if unknown."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def proc_cpu_s(pid: int) -> float | None:
    """User + system CPU seconds of a process, to tell CPU-bound phases from waiting ones."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def host_cpu_s(softirq: bool = False) -> float | None:
    """CPU seconds since boot, all cores: all busy time, or just (soft)irq (loopback TCP)."""
    # without IRQ time accounting the kernel also bills softirq to whichever task it ran in,
    # so busy time, not process time, is what our processes' CPU must be subtracted from
    try:
        f = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return None
    ticks = f[5] + f[6] if softirq else sum(f) - f[3] - f[4]  # minus idle and iowait
    return ticks / os.sysconf("SC_CLK_TCK")


def die_with_parent() -> None:
    """Child-side hook: SIGTERM the child if the coordinator dies without cleaning up."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def reason(exc: BaseException) -> str:
    """A short, countable name for why a connection failed."""
    errno = getattr(exc, "errno", None)
    return f"{type(exc).__name__}({errno})" if errno else type(exc).__name__


# -- the load process -------------------------------------------------------------------------


class LoadBase:
    """What both kinds of load process share: the tallies, and the waits built on them."""

    def __init__(self, count: int, concurrency: int, open_timeout: float) -> None:
        """Nothing is opened until the coordinator says `connect`, so all loads start together."""
        self.count, self.concurrency, self.open_timeout = count, concurrency, open_timeout
        self.tracked: set[str] = set()
        self.counts: Counter[tuple[str, str]] = Counter()
        self.errors: Counter[str] = Counter()
        self.open_count = 0
        self.received = 0  # messages but heartbeats, all clients: what a hide costs in frames
        self.mark = 0
        self.changed = asyncio.Event()  # set when a collect might be done: all saw it, or a close
        self.snapshot_ids: list[str] = []

    async def connect(self) -> Json:
        """Open every client, at most `concurrency` handshakes at once, and say how it went."""
        gate = asyncio.Semaphore(self.concurrency)
        start = time.monotonic()
        took = await asyncio.gather(*(self._open(gate) for _ in range(self.count)))
        ok = [round(t * 1000, 2) for t in took if t is not None]
        return {
            "connected": len(ok),
            "failed": self.count - len(ok),
            "errors": dict(self.errors),
            "seconds": round(time.monotonic() - start, 3),
            "connect_ms": ok,
            "snapshot_ids": self.snapshot_ids,
        }

    async def _open(self, gate: asyncio.Semaphore) -> float | None:
        """One client through handshake and snapshot; its time, or None (counted) on failure."""
        raise NotImplementedError

    def arm(self, ident: str) -> Json:
        """Watch `ident` from now on, forgetting earlier sightings, before the coordinator acts."""
        self.tracked.add(ident)
        for kind in ("remove", "add"):
            self.counts.pop((kind, ident), None)
        self._forget(ident)
        self.mark = self.received
        return {"open": self.open_count}

    def _forget(self, ident: str) -> None:
        """Drop every client's sightings of `ident`."""
        raise NotImplementedError

    async def collect(self, kind: str, ident: str, t0: float, within: float) -> Json:
        """Wait until every open client saw the event, or time runs out; latencies in ms."""
        key = (kind, ident)
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(within):
                while self.counts[key] < self.open_count:
                    self.changed.clear()
                    await self.changed.wait()
        seen, missing = self._sightings(key)
        return {
            "latencies_ms": [round((at - t0) * 1000, 3) for at in seen],
            "missing": missing,
            "open": self.open_count,
        }

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        """When each client first saw `key`, and how many open clients have not."""
        raise NotImplementedError

    async def quiet(self, gap: float, within: float) -> Json:
        """Wait until no client got anything for `gap` s (bounded); messages since the last mark."""
        last = -1
        for _ in range(max(1, math.ceil(within / gap))):
            if self.received == last:
                break
            last = self.received
            await asyncio.sleep(gap)
        count, self.mark = self.received - self.mark, self.received
        return {"received": count, "open": self.open_count}

    def stats(self) -> Json:
        """Clients still open, and close codes of those the server (or the network) closed."""
        raise NotImplementedError

    async def close(self) -> None:
        """Close every client politely, but give up after a few seconds."""
        raise NotImplementedError


@dataclass(slots=True)
class Client:
    """One load client: its connection and when it first saw each tracked event."""

    ws: ClientConnection
    seen: dict[tuple[str, str], float] = field(default_factory=dict)
    open: bool = True
    close_code: int | None = None


class Load(LoadBase):
    """`--client websockets`: full library clients that parse every frame (costly on the CPU)."""

    def __init__(self, url: str, count: int, concurrency: int, open_timeout: float) -> None:
        super().__init__(count, concurrency, open_timeout)
        self.url = url
        self.clients: list[Client] = []
        self.tasks: set[asyncio.Task[None]] = set()

    async def _open(self, gate: asyncio.Semaphore) -> float | None:
        """One client through handshake and snapshot; its time, or None (counted) on failure."""
        async with gate:
            start = time.monotonic()
            try:
                ws = await connect(
                    self.url,
                    compression=None,
                    max_size=None,
                    ping_interval=None,
                    proxy=None,
                    open_timeout=self.open_timeout,
                    close_timeout=2,
                    user_agent_header=None,
                )
            except Exception as exc:
                self.errors[reason(exc)] += 1
                return None
            try:
                async with asyncio.timeout(self.open_timeout):
                    message = json.loads(await ws.recv())
                if message.get("type") != "snapshot":
                    raise ValueError(f"first message is {message.get('type')!r}, not a snapshot")
            except Exception as exc:
                self.errors[reason(exc)] += 1
                ws.transport.abort()
                return None
            took = time.monotonic() - start
        self._adopt(ws, message)
        return took

    def _adopt(self, ws: ClientConnection, snapshot: Json) -> None:
        """Keep a connected client and start its reader; remember the first playlist's ids."""
        if not self.snapshot_ids:
            self.snapshot_ids = [str(item["id"]) for item in snapshot.get("items", [])]
        client = Client(ws)
        self.clients.append(client)
        self.open_count += 1
        task = asyncio.create_task(self._listen(client))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def _listen(self, client: Client) -> None:
        """Read until the socket closes, timestamping tracked events as they arrive."""
        try:
            async for text in client.ws:
                if not isinstance(text, str) or '"heartbeat"' not in text[:32]:
                    self.received += 1  # heartbeats are the clock's, not the hide's
                if self.tracked and isinstance(text, str):
                    self._note(client, text, time.time())
        except ConnectionClosed:
            pass
        finally:
            client.open = False
            client.close_code = client.ws.close_code
            self.open_count -= 1
            self.changed.set()

    def _note(self, client: Client, text: str, at: float) -> None:
        """Record the first `remove`/`add` of a tracked id; a substring test skips the rest."""
        if not any(ident in text for ident in self.tracked):
            return
        message = json.loads(text)
        kind = message.get("type")
        if kind == "remove":
            ident = str(message.get("id"))
        elif kind == "add":
            ident = str(message.get("item", {}).get("id"))
        else:
            return
        key = (kind, ident)
        if ident in self.tracked and key not in client.seen:
            client.seen[key] = at
            self.counts[key] += 1
            if self.counts[key] >= self.open_count:
                self.changed.set()

    def _forget(self, ident: str) -> None:
        for kind in ("remove", "add"):
            for client in self.clients:
                client.seen.pop((kind, ident), None)

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        seen = [c.seen[key] for c in self.clients if key in c.seen]
        return seen, sum(1 for c in self.clients if c.open and key not in c.seen)

    def stats(self) -> Json:
        codes = Counter(str(c.close_code) for c in self.clients if not c.open)
        return {"open": self.open_count, "closed": dict(codes)}

    async def close(self) -> None:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                await asyncio.gather(
                    *(c.ws.close() for c in self.clients if c.open), return_exceptions=True
                )
        for task in list(self.tasks):
            task.cancel()


# The lean client reads the server's frames as bytes, never decoding them: a server's frames
# are unmasked text frames of compact JSON (web/hub.py `encode`: separators "," and ":"), and
# JSON strings escape every quote, so these byte strings only occur where the server meant them.
TYPE = b'"type":"'
MESSAGE = b'{"type":"'  # every message starts so; counting it counts messages
HEARTBEAT = b'{"type":"heartbeat"'
MESSAGE_BACK, HEARTBEAT_BACK = len(MESSAGE) - 1, len(HEARTBEAT) - 1
SNAPSHOT = b'{"type":"snapshot"'
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TAIL = 128  # bytes of the last read kept: a marker split over reads, or a whole close frame
MAX_HEAD = 1 << 16  # a 101 response head is far smaller; anything longer is not a websocket


class HandshakeError(Exception):
    """The server did not switch to websocket, or its first message was not a snapshot."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def markers(ident: str) -> tuple[bytes, bytes]:
    """The bytes of a `remove` and an `add` of `ident`, as web/hub.py `encode` writes them."""
    quoted = json.dumps(ident, ensure_ascii=False)  # an item's `id` is its first field
    remove = TYPE + f'remove","id":{quoted}'.encode()
    add = TYPE + f'add","item":{{"id":{quoted}'.encode()
    return remove, add


def frame_bounds(buf: bytes | bytearray, at: int) -> tuple[int, int] | None:
    """Where the payload of the server frame starting at `at` lies, or None until it is whole."""
    if len(buf) < at + 2:
        return None
    size, start = buf[at + 1] & 0x7F, at + 2
    if size >= 126:
        start += 2 if size == 126 else 8
        if len(buf) < start:
            return None
        size = int.from_bytes(buf[at + 2 : start], "big")
    return (start, start + size) if len(buf) >= start + size else None


def server_close_code(buf: bytes) -> int | None:
    """The code of a close frame that ends `buf` (the server's last words), if one does."""
    at = len(buf)
    while (at := buf.rfind(b"\x88", max(0, len(buf) - 127), at)) >= 0:
        size = len(buf) - at - 2
        if size < 0 or buf[at + 1 : at + 2] != bytes((size,)):
            continue
        if size == 0:
            return 1005  # a close frame without a code
        code = int.from_bytes(buf[at + 2 : at + 4], "big")
        if size >= 2 and 1000 <= code < 5000:  # its first byte is below 0x20: never JSON text
            return code
    return None


def masked_close() -> bytes:
    """A client's close frame, code 1000 (clients must mask what they send)."""
    mask = random.randbytes(4)
    return bytes((0x88, 0x82)) + mask + bytes((0x03 ^ mask[0], 0xE8 ^ mask[1]))


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
        self.watch += [((kind, ident), self.seen[(kind, ident)]) for kind in ("remove", "add")]
        self.tail_len = max(TAIL, self.pattern_back)
        return answer

    def _forget(self, ident: str) -> None:
        for kind in ("remove", "add"):
            self.seen[(kind, ident)] = {}

    def _sightings(self, key: tuple[str, str]) -> tuple[list[float], int]:
        seen = self.seen.get(key, {})
        return list(seen.values()), sum(1 for c in self.clients if c.open and c.index not in seen)

    def stats(self) -> Json:
        codes = Counter(str(c.close_code) for c in self.clients if not c.open)
        return {"open": self.open_count, "closed": dict(codes)}

    async def close(self) -> None:
        for client in self.clients:
            client.goodbye()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(10):
                while self.open_count > 0:
                    self.changed.clear()
                    await self.changed.wait()
        for client in self.clients:
            client.abort()


async def answer(load: LoadBase, command: Json) -> Json:
    """Run one coordinator command on the load."""
    match command["cmd"]:
        case "connect":
            return await load.connect()
        case "arm":
            return load.arm(command["id"])
        case "collect":
            return await load.collect(
                command["kind"], command["id"], command["t0"], command["within"]
            )
        case "quiet":
            return await load.quiet(command["gap"], command["within"])
        case "stats":
            return load.stats()
        case "quit":
            await load.close()
            return {"ok": True}
    return {"error": f"unknown command {command['cmd']!r}"}


def reply(message: Json) -> None:
    """One JSON line to the coordinator (stdout is the channel; nothing else prints there)."""
    sys.stdout.write(json.dumps(message, separators=(",", ":")) + "\n")
    sys.stdout.flush()


async def stdin_reader() -> asyncio.StreamReader:
    """Commands arrive on stdin; EOF means the coordinator is gone."""
    reader = asyncio.StreamReader()
    loop = asyncio.get_running_loop()
    await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), sys.stdin)
    return reader


async def worker_main(args: argparse.Namespace) -> None:
    """The load process: say hello, then answer commands until `quit` or EOF."""
    kind = LeanLoad if args.client == "lean" else Load
    load = kind(args.url, args.count, args.concurrency, args.open_timeout)
    reader = await stdin_reader()
    reply({"event": "started", "pid": os.getpid(), "nofile": raise_nofile()})
    try:
        while line := await reader.readline():
            command = json.loads(line)
            reply(await answer(load, command))
            if command["cmd"] == "quit":
                return
    finally:
        await load.close()


def run_worker(args: argparse.Namespace) -> int:
    """Entry for `--worker`: ignore Ctrl-C (the coordinator decides), prefer uvloop if present."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    raise_nofile()
    try:
        import uvloop

        factory: Callable[[], asyncio.AbstractEventLoop] = uvloop.new_event_loop
    except ImportError:
        factory = asyncio.new_event_loop
    with asyncio.Runner(loop_factory=factory) as runner:
        runner.run(worker_main(args))
    return 0


# -- the coordinator's children ---------------------------------------------------------------


class Worker:
    """A load process, spoken to in JSON lines over its stdin and stdout."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path) -> None:
        self.proc, self.log = proc, log

    @classmethod
    async def start(cls, url: str, count: int, opts: argparse.Namespace, log: Path) -> Worker:
        """Spawn `python -m bench.fanout --worker` and wait for its hello."""
        args = ["--worker", "--url", url, "--count", str(count)]
        args += ["--concurrency", str(opts.concurrency), "--open-timeout", str(opts.open_timeout)]
        args += ["--client", opts.client]
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "bench.fanout",
                *args,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=err,
                cwd=REPO,
                env=child_env({}),
                limit=64 * 1024 * 1024,
                preexec_fn=die_with_parent,
            )
        worker = cls(proc, log)
        await worker.receive(30)
        return worker

    @property
    def pid(self) -> int:
        """For reading its CPU time from /proc."""
        return self.proc.pid

    async def ask(self, command: Json, within: float) -> Json:
        """Send one command and wait (bounded) for its answer."""
        assert self.proc.stdin is not None
        self.proc.stdin.write(json.dumps(command).encode() + b"\n")
        await self.proc.stdin.drain()
        return await self.receive(within)

    async def receive(self, within: float) -> Json:
        """The next JSON line; a dead process is an error that points at its log."""
        assert self.proc.stdout is not None
        async with asyncio.timeout(within):
            line = await self.proc.stdout.readline()
        if not line:
            tail = " | ".join(self.log.read_text(errors="replace").splitlines()[-3:])
            raise RuntimeError(f"load process {self.pid} exited: {tail}")
        answer: Json = json.loads(line)
        if "error" in answer:
            raise RuntimeError(f"load process {self.pid}: {answer['error']}")
        return answer

    async def stop(self) -> None:
        """Ask it to close its clients and quit; kill it if it does not."""
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.ask({"cmd": "quit"}, 20)
        await stop_process(self.proc, 5)


class Server:
    """The server under test as a subprocess, its output in a log file."""

    def __init__(
        self, proc: asyncio.subprocess.Process, port: int, stream_port: int, log: Path
    ) -> None:
        self.proc, self.port, self.stream_port, self.log = proc, port, stream_port, log

    @classmethod
    async def start(cls, opts: argparse.Namespace, db: Path, log: Path) -> Server:
        """Start it on a free loopback port and wait until /healthz answers."""
        port, stream_port = free_port(), free_port() if opts.stream_port else 0
        command = server_command(opts.server_cmd, db, port, stream_port)
        extra = {"VOC_LOG_LEVEL": "warning", "VOC_STREAM_PORT": str(stream_port)}
        env = child_env({**extra, **dict(opts.server_env)})
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=REPO,
                env=env,
                preexec_fn=die_with_parent,
            )
        server = cls(proc, port, stream_port, log)
        try:
            await server.wait_healthy(30)
        except BaseException:
            await server.stop()
            raise
        return server

    @property
    def url(self) -> str:
        """The HTTP base, for /healthz."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        """Where the stream is: the HTTP port, or the separate stream port when asked."""
        return f"ws://127.0.0.1:{self.stream_port or self.port}"

    async def wait_healthy(self, within: float) -> None:
        """Poll /healthz until it answers; fail fast if the process dies."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if self.proc.returncode is not None:
                tail = " | ".join(self.log.read_text(errors="replace").splitlines()[-3:])
                raise RuntimeError(f"server exited ({self.proc.returncode}): {tail}")
            if await healthz(self.url) is not None:
                return
            await asyncio.sleep(0.1)
        raise RuntimeError(f"server not healthy after {within:.0f} s; see {self.log}")

    async def stop(self) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
        await stop_process(self.proc, 10)

    def problems(self) -> list[str]:
        """Log lines that look like trouble (errors, tracebacks, too-many-open-files)."""
        marks = ("error", "traceback", "exception", "too many open files", "critical")
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if any(m in line.lower() for m in marks)]


async def stop_process(proc: asyncio.subprocess.Process, grace: float) -> None:
    """Terminate a child we started, by its pid, and reap it."""
    if proc.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            proc.terminate()
        try:
            async with asyncio.timeout(grace):
                await proc.wait()
        except TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """Our environment plus the repo on the path and no proxies (loopback only)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {**env, **extra}


def voc_ticker() -> str:
    """The `voc-ticker` script of this venv (next to our interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("voc-ticker")
    found = str(beside) if beside.exists() else shutil.which("voc-ticker")
    if found is None:
        raise SystemExit("fanout: cannot find the voc-ticker command; activate the venv")
    return found


def server_command(template: str | None, db: Path, port: int, stream_port: int) -> list[str]:
    """The server's argv: ours by default, or `--server-cmd` with its placeholders filled."""
    default = "{voc} serve --db {db} --host {host} --port {port}"
    template = template or default.replace("{voc}", shlex.quote(voc_ticker()))
    values = {"db": str(db), "port": str(port), "host": "127.0.0.1", "python": sys.executable}
    values["stream_port"] = str(stream_port)
    return [part.format(**values) for part in shlex.split(template)]


def free_port() -> int:
    """A loopback port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def healthz(base: str) -> Json | None:
    """GET /healthz over a raw loopback socket (no proxies, no threads); None if it fails."""
    parts = urlsplit(base)
    try:
        async with asyncio.timeout(5):
            reader, writer = await asyncio.open_connection(parts.hostname, parts.port or 80)
            request = f"GET /healthz HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n"
            writer.write(request.encode())
            raw = await reader.read()
            writer.close()
        head, _, body = raw.partition(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 200"):
            return None
        answer: Json = json.loads(body)
        return answer
    except (OSError, TimeoutError, ValueError):
        return None


async def probe(ws_url: str) -> list[str]:
    """One client before the crowd: warms the server and checks the feed exists."""
    async with (
        asyncio.timeout(30),
        connect(ws_url, compression=None, max_size=None, ping_interval=None, proxy=None) as ws,
    ):
        message = json.loads(await ws.recv())
    if message.get("type") != "snapshot" or not message.get("items"):
        raise RuntimeError(f"{ws_url}: expected a snapshot with items, got {message.get('type')}")
    return [str(item["id"]) for item in message["items"]]


async def make_db(tmp: Path) -> Path:
    """A fresh database with the sample support comments, made by the real CLI."""
    db = tmp / "fanout.db"
    proc = await asyncio.create_subprocess_exec(
        voc_ticker(),
        "ingest",
        str(SAMPLE),
        "--source",
        "s",
        "--db",
        str(db),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=REPO,
        env=child_env({}),
    )
    async with asyncio.timeout(120):
        _, err = await proc.communicate()
    if proc.returncode != 0:
        raise RuntimeError(f"ingest failed: {err.decode(errors='replace')}")
    return db


# -- one run ----------------------------------------------------------------------------------


@dataclass
class HideResult:
    """One hide: how long until each client saw `remove`, and the re-approve's `add`."""

    id: str
    commit_ms: float
    seen: int
    missing: int
    p50_ms: float | None
    p99_ms: float | None
    max_ms: float | None
    add_max_ms: float | None
    add_missing: int
    hide_messages_per_client: float
    approve_messages_per_client: float
    server_cpu_ms: float | None
    load_cpu_ms: float | None


@dataclass
class SizeResult:
    """Everything measured for one number of clients."""

    clients: int
    procs: int
    client: str = "lean"
    connected: int = 0
    failed: int = 0
    errors: dict[str, int] = field(default_factory=dict)
    connect_s: float | None = None
    connect_p50_ms: float | None = None
    connect_p99_ms: float | None = None
    server_clients: int | None = None
    rss_before_kb: int | None = None
    rss_after_kb: int | None = None
    kb_per_conn: float | None = None
    server_cpu_connect_s: float | None = None
    load_cpu_connect_s: float | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    dropped: int = 0
    cpus: int = field(default_factory=lambda: os.cpu_count() or 0)
    window_s: float | None = None
    server_cpu_s: float | None = None
    load_cpu_s: float | None = None
    other_cpu_s: float | None = None
    softirq_cpu_s: float | None = None
    close_codes: dict[str, int] = field(default_factory=dict)
    hides: list[HideResult] = field(default_factory=list)
    server_log_problems: list[str] = field(default_factory=list)
    error: str | None = None


def split(total: int, parts: int) -> list[int]:
    """Clients per load process, as even as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def procs_for(n: int, asked: int, per_proc: int) -> int:
    """Load processes: as asked, else 2+ and enough that each stays under its open-files limit."""
    procs = asked or max(2, math.ceil(n / per_proc))
    if math.ceil(n / procs) > per_proc:
        raise SystemExit(f"fanout: {n} clients over {procs} processes exceeds {per_proc} each")
    return min(procs, n)


def cpu_total(pids: Iterable[int]) -> float | None:
    """Summed CPU seconds of some processes; None if any is unreadable."""
    values = [proc_cpu_s(pid) for pid in pids]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


def delta(after: float | None, before: float | None, scale: float = 1.0) -> float | None:
    """after - before (scaled, rounded), or None if either is unknown."""
    return None if after is None or before is None else round((after - before) * scale, 3)


async def ask_all(workers: Sequence[Worker], command: Json, within: float) -> list[Json]:
    """The same command to every load process at once; all answers."""
    return list(await asyncio.gather(*(w.ask(command, within) for w in workers)))


async def stop_all(workers: Sequence[Worker]) -> None:
    """Stop the load processes together (each closes its clients)."""
    await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)


@dataclass(frozen=True)
class CpuMarks:
    """CPU seconds when connecting began, so the run's share of the host can be told apart."""

    at: float = 0.0  # time.monotonic()
    host: float | None = None
    softirq: float | None = None
    server: float | None = None
    load: float | None = None
    own: float | None = None


class Run:
    """One size: server (unless --url), load processes, connect, measure memory, hide K times."""

    def __init__(self, n: int, opts: argparse.Namespace, db: Path, tmp: Path) -> None:
        """Plan the size; the store is opened here, every process is started by `run`."""
        from ticker.store import Store  # the coordinator writes like an admin would

        self.opts, self.db, self.tmp = opts, db, tmp
        per_proc = raise_nofile() - FD_MARGIN
        procs = procs_for(n, opts.procs, per_proc)
        self.result = SizeResult(clients=n, procs=procs, client=opts.client)
        self.store = Store(db)
        self.server: Server | None = None
        self.server_pid: int | None = opts.server_pid
        self.workers: list[Worker] = []
        self.pooled: list[float] = []
        self.window = CpuMarks()

    async def run(self) -> SizeResult:
        """All phases, always cleaning up the processes this run started."""
        try:
            async with contextlib.AsyncExitStack() as stack:
                stack.push_async_callback(self._stop_server)
                stack.push_async_callback(stop_all, self.workers)
                await self._phases()
        finally:
            self.store.close()
        return self.result

    async def _phases(self) -> None:
        """Start, connect, idle-measure, hide; the order matters for the memory figure."""
        base, ws_base = await self._start_server()
        ws_url = f"{ws_base}/ws/feeds/{self.opts.feed}"
        ids = await probe(ws_url)
        await asyncio.sleep(0.5)
        self.result.rss_before_kb = self._rss()
        await self._connect(ws_url)
        await asyncio.sleep(self.opts.settle)
        await self._measure_idle(base)
        for k in range(self.opts.hides):
            await self._hide_once(ids[k % len(ids)])
        await self._summarize()

    async def _start_server(self) -> tuple[str, str]:
        """Our own server per size (clean memory figures), unless --url names one; both bases."""
        if self.opts.url:
            base = str(self.opts.url).rstrip("/")
            return base, str(self.opts.ws_url or base.replace("http://", "ws://", 1)).rstrip("/")
        log = self.tmp / f"server-{self.result.clients}.log"
        self.server = await Server.start(self.opts, self.db, log)
        self.server_pid = self.server.proc.pid
        return self.server.url, self.server.ws_url

    async def _stop_server(self) -> None:
        """Stop our server and keep what its log says went wrong."""
        if self.server is not None:
            await self.server.stop()
            self.result.server_log_problems = self.server.problems()[:20]

    def _rss(self) -> int | None:
        """Server VmRSS in kB, when we know its pid."""
        return proc_rss_kb(self.server_pid) if self.server_pid else None

    def _server_cpu(self) -> float | None:
        """Server CPU seconds, when we know its pid."""
        return proc_cpu_s(self.server_pid) if self.server_pid else None

    async def _connect(self, ws_url: str) -> None:
        """Spawn the load processes, then time them all connecting at once."""
        shares = split(self.result.clients, self.result.procs)
        for i, count in enumerate(shares):
            log = self.tmp / f"load-{self.result.clients}-{i}.log"
            self.workers.append(await Worker.start(ws_url, count, self.opts, log))
        server0, load0 = self._server_cpu(), cpu_total(w.pid for w in self.workers)
        start = time.monotonic()
        self.window = CpuMarks(
            start, host_cpu_s(), host_cpu_s(softirq=True), server0, load0, proc_cpu_s(os.getpid())
        )
        answers = await ask_all(self.workers, {"cmd": "connect"}, self.opts.connect_timeout)
        r = self.result
        r.connect_s = round(time.monotonic() - start, 3)
        r.server_cpu_connect_s = delta(self._server_cpu(), server0)
        r.load_cpu_connect_s = delta(cpu_total(w.pid for w in self.workers), load0)
        r.connected = sum(a["connected"] for a in answers)
        r.failed = sum(a["failed"] for a in answers)
        r.errors = dict(sum((Counter(a["errors"]) for a in answers), Counter[str]()))
        took = [t for a in answers for t in a["connect_ms"]]
        r.connect_p50_ms, r.connect_p99_ms = percentile(took, 0.5), percentile(took, 0.99)

    async def _measure_idle(self, base: str) -> None:
        """Memory per connection once everyone is connected and quiet."""
        r = self.result
        r.rss_after_kb = self._rss()
        health = await healthz(base)
        r.server_clients = int(health["clients"]) if health and "clients" in health else None
        if r.rss_after_kb is not None and r.rss_before_kb is not None and r.connected:
            r.kb_per_conn = round((r.rss_after_kb - r.rss_before_kb) / r.connected, 2)

    async def _hide_once(self, ident: str) -> None:
        """Hide `ident` and time every client's `remove`; approve it back and time the `add`."""
        from ticker.curation import hide

        await ask_all(self.workers, {"cmd": "arm", "id": ident}, 30)
        await asyncio.sleep(random.uniform(0.05, 0.05 + self.opts.jitter))
        server0, load0 = self._server_cpu(), self._load_cpu()
        t0 = time.time()
        hide(self.store, ident, ACTOR, "fanout benchmark")
        commit_ms = (time.time() - t0) * 1000
        removed = await self._collect("remove", ident, t0)
        hide_messages = await self._quiet()
        server_cpu, load_cpu = self._server_cpu(), self._load_cpu()
        added, approve_messages = await self._put_back(ident)
        late = removed["latencies_ms"]
        self.pooled.extend(late)
        self.result.hides.append(
            HideResult(
                id=ident,
                commit_ms=round(commit_ms, 3),
                seen=len(late),
                missing=removed["missing"],
                p50_ms=percentile(late, 0.5),
                p99_ms=percentile(late, 0.99),
                max_ms=max(late, default=None),
                add_max_ms=max(added["latencies_ms"], default=None),
                add_missing=added["missing"],
                hide_messages_per_client=hide_messages,
                approve_messages_per_client=approve_messages,
                server_cpu_ms=delta(server_cpu, server0, 1000),
                load_cpu_ms=delta(load_cpu, load0, 1000),
            )
        )
        await asyncio.sleep(self.opts.pause)

    async def _put_back(self, ident: str) -> tuple[Json, float]:
        """Approve `ident` again so the next hide starts from the same playlist; time its `add`."""
        from ticker.curation import approve

        t1 = time.time()
        approve(self.store, ident, ACTOR, "fanout benchmark: put back")
        added = await self._collect("add", ident, t1)
        return added, await self._quiet()

    def _load_cpu(self) -> float | None:
        """CPU seconds of all load processes: on a small host they compete with the server."""
        return cpu_total(w.pid for w in self.workers)

    async def _collect(self, kind: str, ident: str, t0: float) -> Json:
        """Every load process's sightings of one event, merged."""
        within = self.opts.event_timeout
        command = {"cmd": "collect", "kind": kind, "id": ident, "t0": t0, "within": within}
        answers = await ask_all(self.workers, command, within + 30)
        return {
            "latencies_ms": [x for a in answers for x in a["latencies_ms"]],
            "missing": sum(a["missing"] for a in answers),
        }

    async def _quiet(self) -> float:
        """Wait for the fan-out's tail to arrive (so hides do not overlap); messages per client."""
        within = self.opts.event_timeout
        command = {"cmd": "quiet", "gap": QUIET_GAP, "within": within}
        answers = await ask_all(self.workers, command, within + 30)
        clients: int = sum(a["open"] for a in answers)
        received: int = sum(a["received"] for a in answers)
        return round(received / max(1, clients), 2)

    async def _summarize(self) -> None:
        """Pool every (hide, client) latency; count the clients the server closed on the way."""
        r, pooled = self.result, self.pooled
        r.p50_ms, r.p99_ms = percentile(pooled, 0.5), percentile(pooled, 0.99)
        r.max_ms = max(pooled, default=None)
        answers = await ask_all(self.workers, {"cmd": "stats"}, 30)
        codes = sum((Counter(a["closed"]) for a in answers), Counter[str]())
        r.close_codes, r.dropped = dict(codes), sum(codes.values())
        self._account_cpu()

    def _account_cpu(self) -> None:
        """CPU from connecting to now: server, load, and everything else on the host (noise)."""
        r, m = self.result, self.window
        r.window_s = round(time.monotonic() - m.at, 3)
        r.server_cpu_s = delta(self._server_cpu(), m.server)
        r.load_cpu_s = delta(cpu_total(w.pid for w in self.workers), m.load)
        host, own = delta(host_cpu_s(), m.host), delta(proc_cpu_s(os.getpid()), m.own)
        r.softirq_cpu_s = delta(host_cpu_s(softirq=True), m.softirq)
        if None not in (host, own, r.server_cpu_s, r.load_cpu_s):
            ours = (own or 0) + (r.server_cpu_s or 0) + (r.load_cpu_s or 0)
            r.other_cpu_s = round((host or 0) - ours, 2)


# -- the table --------------------------------------------------------------------------------

COLUMNS = (
    ("clients", "clients", "d"),
    ("connected", "connected", "d"),
    ("failed", "failed", "d"),
    ("connect s", "connect_s", ".2f"),
    ("p50 ms", "p50_ms", ".1f"),
    ("p99 ms", "p99_ms", ".1f"),
    ("max ms", "max_ms", ".1f"),
    ("missed", "missed", "d"),
    ("dropped", "dropped", "d"),
    ("KB/conn", "kb_per_conn", ".1f"),
)


def row(result: SizeResult) -> dict[str, Any]:
    """The table's values for one size ("missed": clients that never saw a `remove`)."""
    values = asdict(result)
    values["missed"] = sum(h.missing for h in result.hides)
    return values


def table(results: Sequence[SizeResult]) -> str:
    """A plain, aligned table, one line per number of clients."""
    lines = [[title for title, _, _ in COLUMNS]]
    for result in results:
        values = row(result)
        lines.append(
            ["-" if values[key] is None else format(values[key], spec) for _, key, spec in COLUMNS]
        )
    widths = [max(len(line[i]) for line in lines) for i in range(len(COLUMNS))]
    return "\n".join(
        "  ".join(c.rjust(w) for c, w in zip(line, widths, strict=True)) for line in lines
    )


def details(result: SizeResult) -> str:
    """What the table leaves out: connect spread, CPU, each hide, errors, server log trouble."""
    r = result
    out = [
        f"{r.clients} {r.client} clients over {r.procs} load processes; "
        f"server counted {r.server_clients}; connect p50 {r.connect_p50_ms} ms, "
        f"p99 {r.connect_p99_ms} ms; CPU during connect: "
        f"server {r.server_cpu_connect_s} s, load {r.load_cpu_connect_s} s; "
        f"RSS {r.rss_before_kb} -> {r.rss_after_kb} kB",
        f"  CPU over {r.window_s} s from connect to last hide ({r.cpus} cores): server "
        f"{r.server_cpu_s} s, load {r.load_cpu_s} s, everything else ≈{r.other_cpu_s} s, "
        f"irq/softirq {r.softirq_cpu_s} s",
    ]
    for h in r.hides:
        out.append(
            f"  hide {h.id}: commit {h.commit_ms:.1f} ms, seen {h.seen}, missing {h.missing}, "
            f"p50 {h.p50_ms} / p99 {h.p99_ms} / last {h.max_ms} ms; add-back last "
            f"{h.add_max_ms} ms; msgs/client: hide {h.hide_messages_per_client}, approve "
            f"{h.approve_messages_per_client}; hide CPU server {h.server_cpu_ms} ms, "
            f"load {h.load_cpu_ms} ms"
        )
    if r.errors:
        out.append(f"  connect errors: {r.errors}")
    if r.close_codes:
        out.append(f"  closed during the run (close code: clients): {r.close_codes}")
    out.extend(f"  server log: {line}" for line in r.server_log_problems)
    if r.error:
        out.append(f"  ERROR: {r.error}")
    return "\n".join(out)


# -- entry points -----------------------------------------------------------------------------


def sizes(text: str) -> list[int]:
    """`--clients 1000,5000,max`: `max` is this host's open-files hard limit minus a margin."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    top = 19000 if hard == resource.RLIM_INFINITY else max(1, hard - FD_MARGIN)
    try:
        found = [top if part.strip() == "max" else int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use numbers and 'max', comma-separated"
        ) from None
    if not found or any(n < 1 for n in found):
        raise argparse.ArgumentTypeError("client counts must be positive")
    return found


def key_value(text: str) -> tuple[str, str]:
    """`--server-env VOC_CLIENT_QUEUE=256`."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: use KEY=VALUE")
    return key, value


def parser() -> argparse.ArgumentParser:
    """Options for the coordinator (and, hidden, for the load processes)."""
    p = argparse.ArgumentParser(prog="python -m bench.fanout", description=__doc__.split("\n")[0])
    add = p.add_argument
    add(
        "--clients",
        type=sizes,
        default=sizes("1000,5000,10000,max"),
        help="client counts to run, comma-separated; 'max' = open-files limit - 1000 "
        "(default: 1000,5000,10000,max)",
    )
    add("--hides", type=int, default=5, help="hides per client count (default: 5)")
    add(
        "--procs",
        type=int,
        default=0,
        help="load processes (default: 2, more if one would pass its open-files limit)",
    )
    add(
        "--url",
        help="use this running server (http://127.0.0.1:PORT) instead of starting one; "
        "needs --db, the database it serves",
    )
    add("--db", type=Path, help="database to hide in (default: a fresh one from sample_feedback)")
    add(
        "--ws-url",
        help="with --url: the stream's base, ws://127.0.0.1:PORT (default: same port as --url)",
    )
    add(
        "--stream-port",
        action="store_true",
        help="serve the stream on its own port: sets VOC_STREAM_PORT (and {stream_port}) "
        "to a free port and connects clients there",
    )
    add("--server-pid", type=int, help="with --url: the server's pid, for memory and CPU")
    add(
        "--server-cmd",
        help="command that starts the server; {db}, {port}, {stream_port}, {host}, {python} "
        "are filled in (default: voc-ticker serve --db {db} --host {host} --port {port})",
    )
    add(
        "--server-env",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the server, e.g. VOC_CLIENT_QUEUE=256 (repeatable)",
    )
    add("--feed", default="all", help="feed the clients watch (default: all)")
    add(
        "--concurrency",
        type=int,
        default=100,
        help="handshakes in flight per load process (default: 100)",
    )
    add(
        "--client",
        choices=("lean", "websockets"),
        default="lean",
        help="load clients: 'lean' (raw asyncio, scans bytes for the events; cheap, so the "
        "load process steals little CPU from the server) or 'websockets' (the library's "
        "client, parsing every frame) (default: lean)",
    )
    add("--open-timeout", type=float, default=60.0, help="seconds per connection (default: 60)")
    add(
        "--connect-timeout",
        type=float,
        default=300.0,
        help="seconds for all clients of a size to connect (default: 300)",
    )
    add(
        "--event-timeout",
        type=float,
        default=30.0,
        help="seconds to wait for every client to see a remove/add (default: 30)",
    )
    add(
        "--settle",
        type=float,
        default=3.0,
        help="idle seconds after connecting, before memory is read (default: 3)",
    )
    add(
        "--jitter",
        type=float,
        default=0.3,
        help="random extra wait before each hide, so hides land anywhere in the server's "
        "poll cycle (default: 0.3 s)",
    )
    add("--pause", type=float, default=0.2, help="extra seconds between hides (default: 0.2)")
    add(
        "--timeout",
        type=float,
        default=1200.0,
        help="give up on the whole benchmark after this many seconds (default: 1200)",
    )
    add("--json", action="store_true", help="print the results as JSON instead of a table")
    add("--worker", action="store_true", help=argparse.SUPPRESS)
    add("--count", type=int, default=0, help=argparse.SUPPRESS)  # (load process) its clients
    return p


def check(opts: argparse.Namespace) -> None:
    """Refuse what would leave loopback or could not work."""
    if opts.url:
        host = urlsplit(opts.url).hostname or ""
        if host not in LOOPBACK or not opts.url.startswith("http://"):
            raise SystemExit("fanout: --url must be http://127.0.0.1:PORT (loopback only)")
        if opts.db is None:
            raise SystemExit("fanout: --url needs --db, the database that server serves")
    if opts.ws_url:
        host = urlsplit(opts.ws_url).hostname or ""
        if host not in LOOPBACK or not opts.ws_url.startswith("ws://") or not opts.url:
            raise SystemExit("fanout: --ws-url must be ws://127.0.0.1:PORT, and needs --url")
    if opts.hides < 1 or opts.concurrency < 1:
        raise SystemExit("fanout: --hides and --concurrency must be at least 1")


async def coordinate(opts: argparse.Namespace, results: list[SizeResult]) -> None:
    """Every size in turn, within the global timeout; a failed size is recorded, not fatal."""
    raise_nofile()  # the server inherits it
    with tempfile.TemporaryDirectory(prefix="voc-fanout-") as name:
        tmp = Path(name)
        async with asyncio.timeout(opts.timeout):
            db = opts.db or await make_db(tmp)
            for n in opts.clients:
                run = Run(n, opts, db, tmp)
                results.append(run.result)  # partial results survive Ctrl-C and --timeout
                await one_size(run)
                progress(run.result, opts)


async def one_size(run: Run) -> None:
    """One size; an ordinary failure becomes the result's `error` so later sizes still run."""
    try:
        await run.run()
    except asyncio.CancelledError:
        run.result.error = "interrupted (Ctrl-C or --timeout) during this size"
        raise
    except TimeoutError:
        run.result.error = "a phase timed out (see --connect-timeout, --event-timeout)"
    except (RuntimeError, OSError, ValueError, KeyError) as exc:
        run.result.error = f"{type(exc).__name__}: {exc}"


def progress(result: SizeResult, opts: argparse.Namespace) -> None:
    """A line on stderr as each size finishes, so long runs show signs of life."""
    if not opts.json:
        print(details(result), file=sys.stderr, flush=True)


def report(results: Sequence[SizeResult], opts: argparse.Namespace) -> None:
    """The table (or JSON) on stdout."""
    if opts.json:
        print(json.dumps([row(r) for r in results], indent=2))
    else:
        print(table(results))


def main(argv: Sequence[str] | None = None) -> int:
    """Coordinator by default; `--worker` makes this process a load process."""
    opts = parser().parse_args(argv)
    if opts.worker:
        return run_worker(opts)
    check(opts)
    results: list[SizeResult] = []
    status = 0
    try:
        asyncio.run(coordinate(opts, results))
    except KeyboardInterrupt:
        print("fanout: interrupted; partial results follow", file=sys.stderr)
        status = 130
    except TimeoutError:
        print(f"fanout: gave up after --timeout {opts.timeout:.0f} s", file=sys.stderr)
        status = 1
    report(results, opts)
    return status if status else int(any(r.error for r in results))


if __name__ == "__main__":
    sys.exit(main())
