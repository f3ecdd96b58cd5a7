"""A load process, both ends of its JSON-lines channel: the child's loop, the coordinator's handle.

The coordinator writes one command a line to the child's stdin; the child answers each with one
line on its stdout (nothing else prints there) and logs to stderr, which goes to a file.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from bench.fanout.lean_load import LeanLoad
from bench.fanout.library_load import LibraryLoad
from bench.fanout.load import Json, LoadBase
from bench.fanout.processes import REPO, child_env, die_with_parent, log_tail, stop_process
from bench.fanout.resources import raise_nofile

# -- the child: a load process ----------------------------------------------------------------


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
    kind = LeanLoad if args.client == "lean" else LibraryLoad
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


# -- the coordinator's handle on a load process -----------------------------------------------


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
            raise RuntimeError(f"load process {self.pid} exited: {log_tail(self.log)}")
        message: Json = json.loads(line)
        if "error" in message:
            raise RuntimeError(f"load process {self.pid}: {message['error']}")
        return message

    async def stop(self) -> None:
        """Ask it to close its clients and quit; kill it if it does not."""
        if self.proc.returncode is None:
            with contextlib.suppress(Exception):
                await self.ask({"cmd": "quit"}, 20)
        await stop_process(self.proc, 5)


async def ask_all(workers: Sequence[Worker], command: Json, within: float) -> list[Json]:
    """The same command to every load process at once; all answers."""
    return list(await asyncio.gather(*(w.ask(command, within) for w in workers)))


async def stop_all(workers: Sequence[Worker]) -> None:
    """Stop the load processes together (each closes its clients)."""
    await asyncio.gather(*(w.stop() for w in workers), return_exceptions=True)
