"""The server under test: its command, its process, its health, and the database it serves."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from websockets.asyncio.client import connect

from bench.fanout.processes import REPO, child_env, die_with_parent, log_tail, stop_process

SAMPLE = REPO / "sample_feedback" / "support_csat.csv"


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
                raise RuntimeError(f"server exited ({self.proc.returncode}): {log_tail(self.log)}")
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
