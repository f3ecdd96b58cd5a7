"""The server under test, as the options ask for it, and the first client to check its feed."""

from __future__ import annotations

import argparse
import asyncio
import json
import shlex
import sys
from pathlib import Path

from websockets.asyncio.client import connect

from bench.served import LOOPBACK, Server, released_ports, voc_ticker


async def start_server(opts: argparse.Namespace, db: Path, log: Path) -> Server:
    """Ours (`voc-ticker serve`) on ports it picks itself, or `--server-cmd`; healthy."""
    env = dict(opts.server_env)
    if not opts.server_cmd:
        program = [voc_ticker()]
        return await Server.ours(program, db, log, stream_port=opts.stream_port, env=env)
    # Another server may not take `--port 0`: it gets ports released just now (racy).
    port, stream_port = released_ports(2) if opts.stream_port else (*released_ports(1), 0)
    command = server_command(opts.server_cmd, db, port, stream_port)
    env = {"VOC_STREAM_PORT": str(stream_port), **env}
    return await Server.start(command, log, ports=(port, stream_port), env=env)


def server_command(template: str, db: Path, port: int, stream_port: int) -> list[str]:
    """`--server-cmd` with its placeholders filled, as an argv."""
    values = {"db": str(db), "port": str(port), "host": LOOPBACK, "python": sys.executable}
    values["stream_port"] = str(stream_port)
    return [part.format(**values) for part in shlex.split(template)]


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
