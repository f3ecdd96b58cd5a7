"""The children the coordinator starts: their environment, their death with it, their end."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import os
import signal
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def die_with_parent() -> None:
    """Child-side hook: SIGTERM the child if the coordinator dies without cleaning up."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None).prctl(1, int(signal.SIGTERM))  # PR_SET_PDEATHSIG


def child_env(extra: dict[str, str]) -> dict[str, str]:
    """Our environment plus the repo on the path and no proxies (loopback only)."""
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO), env.get("PYTHONPATH")) if p)
    return {**env, **extra}


def log_tail(log: Path) -> str:
    """The last lines of a child's log, on one line, to say why it died."""
    return " | ".join(log.read_text(errors="replace").splitlines()[-3:])


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
