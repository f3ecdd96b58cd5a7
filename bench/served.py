"""A server under test as a child process, for every benchmark that starts one.

Ours (`Server.ours`) is told `--port 0`: it binds free ports itself and says which in the first
line it prints, so no other process can take them in between. A server that cannot be told that
(another program, or a checkout from before `--port 0`) is started on `released_ports`.
"""

from __future__ import annotations

import asyncio
import json
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from bench.fanout.processes import REPO, child_env, die_with_parent, log_tail, stop_process

LOOPBACK = "127.0.0.1"
SAMPLE = REPO / "sample_feedback" / "support_csat.csv"
# What `voc-ticker serve` prints first (voc/cli.py): the HTTP port, then the stream's own port
# or "stream on the same port" when the HTTP port serves the stream too.
ANNOUNCED = re.compile(
    r"VoC Ticker: serving on http://\S+?:(?P<port>\d+)/ "
    r"\(stream on (?:port (?P<stream_port>\d+)|the same port)\)"
)
TROUBLE = ("error", "traceback", "exception", "too many open files", "critical")


class Server:
    """A server as a subprocess, its output (stdout and stderr) in a log file."""

    def __init__(self, proc: asyncio.subprocess.Process, log: Path, port: int = 0) -> None:
        self.proc, self.log = proc, log
        self.port = port  # 0 until our server has said where it listens
        self.stream_port = 0  # 0: the stream is on the HTTP port
        self.health: dict[str, Any] | None = None  # what /healthz answered first

    @classmethod
    async def ours(
        cls,
        program: Sequence[str],
        db: Path,
        log: Path,
        *,
        stream_port: bool = True,
        env: Mapping[str, str] | None = None,
        cwd: Path = REPO,
        within: float = 30,
    ) -> Server:
        """`PROGRAM serve` on `db` (PROGRAM: `voc-ticker` or `python -m voc`) on free loopback
        ports it picks itself; the stream on a port of its own, or with `stream_port=False` on
        the HTTP port."""
        command = [*program, "serve", "--db", str(db), "--host", LOOPBACK, "--port", "0"]
        if not stream_port:
            command += ["--stream-port", "0"]
        # An empty VOC_STREAM_PORT is unset: one in our environment cannot pin the stream.
        extra = {"VOC_STREAM_PORT": "", **(env or {})}
        return await cls.start(command, log, env=extra, cwd=cwd, within=within)

    @classmethod
    async def start(
        cls,
        command: Sequence[str],
        log: Path,
        *,
        ports: tuple[int, int] | None = None,
        env: Mapping[str, str] | None = None,
        cwd: Path = REPO,
        within: float = 30,
    ) -> Server:
        """Run `command` and wait until /healthz answers (or fail, the process stopped).

        `ports` is (port, stream_port) the command was given, stream_port 0 when the stream is
        on the HTTP port; without, the command is our server told `--port 0`, and the line it
        prints first says where it listens."""
        full_env = child_env({"VOC_LOG_LEVEL": "warning", **(env or {})})
        with log.open("wb") as out:
            proc = await asyncio.create_subprocess_exec(
                *command,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                cwd=cwd,
                env=full_env,
                preexec_fn=die_with_parent,
            )
        server = cls(proc, log)
        if ports is not None:
            server.port, server.stream_port = ports
        try:
            await server.wait_healthy(within)
        except BaseException:
            await server.stop()
            raise
        return server

    @property
    def url(self) -> str:
        """The HTTP base, for /healthz and pages."""
        return f"http://{LOOPBACK}:{self.port}"

    @property
    def ws_url(self) -> str:
        """The stream's base: its own port, or the HTTP port."""
        return f"ws://{LOOPBACK}:{self.stream_port or self.port}"

    async def wait_healthy(self, within: float) -> None:
        """Learn the ports (ours says them), then poll /healthz until it answers; fail fast if
        the process dies."""
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            self.check()
            if not self.port:
                self.read_ports()
            if self.port:
                self.health = await healthz(self.url)
                if self.health is not None:
                    return
            await asyncio.sleep(0.1)
        said = "not healthy" if self.port else "did not say where it listens"
        raise RuntimeError(f"server {said} after {within:.0f} s: {log_tail(self.log)}")

    def read_ports(self) -> None:
        """The ports from our server's first line, once it is in the log."""
        found = ANNOUNCED.search(self.log.read_text(errors="replace"))
        if found:
            self.port = int(found["port"])
            self.stream_port = int(found["stream_port"] or 0)

    def check(self) -> None:
        """Raise if the server has exited."""
        if self.proc.returncode is not None:
            raise RuntimeError(f"server exited ({self.proc.returncode}): {log_tail(self.log)}")

    async def stop(self) -> None:
        """SIGTERM (uvicorn shuts down gracefully), then SIGKILL if it lingers."""
        await stop_process(self.proc, 10)

    def problems(self) -> list[str]:
        """Log lines that look like trouble (errors, tracebacks, too-many-open-files)."""
        text = self.log.read_text(errors="replace") if self.log.exists() else ""
        return [line for line in text.splitlines() if any(m in line.lower() for m in TROUBLE)]

    def say_problems(self, most: int = 10) -> None:
        """The first few lines of trouble in its log, on stderr."""
        problems = self.problems()
        if problems:
            print(f"  server log ({len(problems)} lines of trouble):", file=sys.stderr)
            for line in problems[:most]:
                print(f"    {line}", file=sys.stderr)


def released_ports(n: int) -> list[int]:
    """n distinct loopback ports nobody listens on right now, for a server that cannot be told
    `--port 0`. Each is bound to port 0 and released, so another process may take it before the
    server does: racy, but a benchmark may."""
    sockets = [socket.socket() for _ in range(n)]
    try:
        for s in sockets:
            s.bind((LOOPBACK, 0))
        return [int(s.getsockname()[1]) for s in sockets]
    finally:
        for s in sockets:
            s.close()


async def healthz(base: str) -> dict[str, Any] | None:
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
        answer: dict[str, Any] = json.loads(body)
        return answer
    except (OSError, TimeoutError, ValueError):
        return None


def voc_ticker() -> str:
    """The `voc-ticker` script of this venv (next to our interpreter), else the one on PATH."""
    beside = Path(sys.executable).with_name("voc-ticker")
    found = str(beside) if beside.exists() else shutil.which("voc-ticker")
    if found is None:
        raise SystemExit("bench: cannot find the voc-ticker command; activate the venv")
    return found


async def sample_db(db: Path) -> Path:
    """A fresh database at `db` with the sample support comments, made by the real CLI."""
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
