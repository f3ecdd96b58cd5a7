"""One size of the benchmark: server, load processes, connect, memory, then K timed hides."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import math
import os
import random
import time
from pathlib import Path

from bench.fanout.edges import Edges
from bench.fanout.load import Json
from bench.fanout.resources import (
    FD_MARGIN,
    CpuMarks,
    cpu_total,
    host_cpu_s,
    proc_cpu_s,
    proc_rss_kb,
    raise_nofile,
)
from bench.fanout.results import HideResult, SizeResult
from bench.fanout.server import probe, start_server
from bench.fanout.stats import delta, merge_counts, percentile
from bench.fanout.worker import Worker, ask_all, stop_all
from bench.served import Server, healthz

ACTOR = "bench-fanout"
QUIET_GAP = 0.3  # seconds without a message that mean a hide's fan-out is over


def split(total: int, parts: int) -> list[int]:
    """Clients per load process, as even as possible."""
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def procs_for(n: int, asked: int, per_proc: int) -> int:
    """Load processes: as asked, else 2+ and enough that each stays under its open-files limit."""
    procs = asked or max(2, math.ceil(n / per_proc))
    if math.ceil(n / procs) > per_proc:
        raise SystemExit(f"fanout: {n} clients over {procs} processes exceeds {per_proc} each")
    return min(procs, n)


class Run:
    """One size: server (unless --url), load processes, connect, measure memory, hide K times."""

    def __init__(
        self, n: int, opts: argparse.Namespace, db: Path, tmp: Path, edges: int = 0
    ) -> None:
        """Plan the size; the store is opened here, every process is started by `run`."""
        from ticker.store import Store  # the coordinator writes like an admin would

        self.opts, self.db, self.tmp = opts, db, tmp
        per_proc = raise_nofile() - FD_MARGIN
        procs = max(procs_for(n, opts.procs, per_proc), edges)  # a load process per edge
        self.result = SizeResult(clients=n, procs=procs, client=opts.client, edges=edges)
        self.edges: Edges | None = None
        self.ws_bases: list[str] = []
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
                stack.push_async_callback(self._stop_edges)
                stack.push_async_callback(self._stop_server)
                stack.push_async_callback(stop_all, self.workers)
                await self._phases()
        finally:
            self.store.close()
        return self.result

    async def _phases(self) -> None:
        """Start, connect, idle-measure, hide; the order matters for the memory figure."""
        base, ws_base = await self._start_server()
        self.ws_bases = [ws_base]
        if self.result.edges:
            assert self.edges is not None
            await self.edges.start(self.result.edges, self.tmp, self.opts.stream_port)
            self.ws_bases = [s.ws_url for s in self.edges.servers]
        urls = [f"{ws}/ws/feeds/{self.opts.feed}" for ws in self.ws_bases]
        found = [await probe(url) for url in urls]  # every edge serves the feed
        ids = found[0]
        await asyncio.sleep(0.5)
        self.result.rss_before_kb = self._rss()
        await self._connect(urls)
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
        if self.result.edges:
            self.edges = await Edges.redis_server(self.tmp)
            self.opts.server_env = [*self.opts.server_env, ("VOC_REDIS_URL", self.edges.url)]
        self.server = await start_server(self.opts, self.db, log)
        if self.edges is not None:
            self.opts.server_env = self.opts.server_env[:-1]
        self.server_pid = self.server.proc.pid
        return self.server.url, self.server.ws_url

    async def _stop_server(self) -> None:
        """Stop our server and keep what its log says went wrong."""
        if self.server is not None:
            await self.server.stop()
            self.result.server_log_problems = self.server.problems()[:20]

    async def _stop_edges(self) -> None:
        if self.edges is not None:
            await self.edges.stop()

    def _serving_pids(self) -> list[int]:
        """The processes that hold the screens: the edges, else the server."""
        if self.edges is not None:
            return self.edges.pids
        return [self.server_pid] if self.server_pid else []

    def _rss(self) -> int | None:
        """VmRSS in kB of what holds the screens, when we know the pids."""
        found = [proc_rss_kb(pid) for pid in self._serving_pids()]
        return None if not found or None in found else sum(f or 0 for f in found)

    def _server_cpu(self) -> float | None:
        """CPU seconds of the server (and its edges), when we know the pids."""
        pids = [self.server_pid] if self.server_pid else []
        if self.edges is not None:
            pids += self.edges.pids
        return cpu_total(pids) if pids else None

    async def _connect(self, ws_urls: list[str]) -> None:
        """Spawn the load processes (spread over the edges), then time them all connecting."""
        shares = split(self.result.clients, self.result.procs)
        for i, count in enumerate(shares):
            log = self.tmp / f"load-{self.result.clients}-{i}.log"
            url = ws_urls[i % len(ws_urls)]
            self.workers.append(await Worker.start(url, count, self.opts, log))
        server0, load0 = self._server_cpu(), self._load_cpu()
        start = time.monotonic()
        self.window = CpuMarks(
            start, host_cpu_s(), host_cpu_s(softirq=True), server0, load0, proc_cpu_s(os.getpid())
        )
        answers = await ask_all(self.workers, {"cmd": "connect"}, self.opts.connect_timeout)
        r = self.result
        r.connect_s = round(time.monotonic() - start, 3)
        r.server_cpu_connect_s = delta(self._server_cpu(), server0)
        r.load_cpu_connect_s = delta(self._load_cpu(), load0)
        r.connected = sum(a["connected"] for a in answers)
        r.failed = sum(a["failed"] for a in answers)
        r.errors = merge_counts(answers, "errors")
        took = [t for a in answers for t in a["connect_ms"]]
        r.connect_p50_ms, r.connect_p99_ms = percentile(took, 0.5), percentile(took, 0.99)

    async def _measure_idle(self, base: str) -> None:
        """Memory per connection once everyone is connected and quiet."""
        r = self.result
        r.rss_after_kb = self._rss()
        bases = [s.url for s in self.edges.servers] if self.edges is not None else [base]
        answers = [await healthz(b) for b in bases]
        counted = [int(h["clients"]) for h in answers if h and "clients" in h]
        r.server_clients = sum(counted) if len(counted) == len(bases) else None
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

    async def _ask_waiting(self, command: Json) -> list[Json]:
        """A command whose answer may wait up to --event-timeout in each load process."""
        within = self.opts.event_timeout
        return await ask_all(self.workers, {**command, "within": within}, within + 30)

    async def _collect(self, kind: str, ident: str, t0: float) -> Json:
        """Every load process's sightings of one event, merged."""
        command = {"cmd": "collect", "kind": kind, "id": ident, "t0": t0}
        answers = await self._ask_waiting(command)
        return {
            "latencies_ms": [x for a in answers for x in a["latencies_ms"]],
            "missing": sum(a["missing"] for a in answers),
        }

    async def _quiet(self) -> float:
        """Wait for the fan-out's tail to arrive (so hides do not overlap); messages per client."""
        answers = await self._ask_waiting({"cmd": "quiet", "gap": QUIET_GAP})
        clients: int = sum(a["open"] for a in answers)
        received: int = sum(a["received"] for a in answers)
        return round(received / max(1, clients), 2)

    async def _summarize(self) -> None:
        """Pool every (hide, client) latency; count the clients the server closed on the way."""
        r, pooled = self.result, self.pooled
        r.p50_ms, r.p99_ms = percentile(pooled, 0.5), percentile(pooled, 0.99)
        r.max_ms = max(pooled, default=None)
        answers = await ask_all(self.workers, {"cmd": "stats"}, 30)
        r.close_codes = merge_counts(answers, "closed")
        r.dropped = sum(r.close_codes.values())
        self._account_cpu()

    def _account_cpu(self) -> None:
        """CPU from connecting to now: server, load, and everything else on the host (noise)."""
        r, m = self.result, self.window
        r.window_s = round(time.monotonic() - m.at, 3)
        r.server_cpu_s = delta(self._server_cpu(), m.server)
        r.load_cpu_s = delta(self._load_cpu(), m.load)
        host, own = delta(host_cpu_s(), m.host), delta(proc_cpu_s(os.getpid()), m.own)
        r.softirq_cpu_s = delta(host_cpu_s(softirq=True), m.softirq)
        if None not in (host, own, r.server_cpu_s, r.load_cpu_s):
            ours = (own or 0) + (r.server_cpu_s or 0) + (r.load_cpu_s or 0)
            r.other_cpu_s = round((host or 0) - ours, 2)
