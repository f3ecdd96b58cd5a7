"""Stream edges for the fan-out benchmark: a redis-server, the origin writing to it, and N
`voc-ticker edge` processes the clients connect to (docs/deployment.md)."""

from __future__ import annotations

import asyncio
import shutil
import socket
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from bench.fanout.processes import child_env, die_with_parent, stop_process
from bench.served import LOOPBACK, Server, voc_ticker

REDIS = shutil.which("redis-server") or "/usr/bin/redis-server"


@dataclass
class Edges:
    """Redis and the edges; the origin is the run's server, told where Redis is."""

    redis: asyncio.subprocess.Process
    url: str
    servers: list[Server] = field(default_factory=list)

    @classmethod
    async def redis_server(cls, folder: Path) -> Edges:
        with socket.socket() as sock:  # redis-server cannot be handed a socket
            sock.bind((LOOPBACK, 0))
            port = int(sock.getsockname()[1])
        proc = await asyncio.create_subprocess_exec(
            REDIS,
            "--port",
            str(port),
            "--bind",
            LOOPBACK,
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(folder),
            "--maxclients",
            "1000",
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=child_env({}),
            preexec_fn=die_with_parent,
        )
        for _ in range(100):
            try:
                _, writer = await asyncio.open_connection(LOOPBACK, port)
                writer.close()
                break
            except OSError:
                await asyncio.sleep(0.05)
        return cls(proc, f"redis://{LOOPBACK}:{port}/0")

    async def start(self, n: int, tmp: Path, stream_port: bool) -> None:
        """N edges, each on ports it picks, healthy."""
        for i in range(n):
            command = [voc_ticker(), "edge", "--redis", self.url, "--host", LOOPBACK, "--port", "0"]
            if not stream_port:
                command += ["--stream-port", "0"]
            log = tmp / f"edge-{i}.log"
            self.servers.append(await Server.start(command, log, env={"VOC_STREAM_PORT": ""}))

    @property
    def pids(self) -> list[int]:
        return [s.proc.pid for s in self.servers]

    async def stop(self) -> None:
        for server in self.servers:
            await server.stop()
        await stop_process(self.redis, 5)
