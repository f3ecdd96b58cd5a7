"""What processes and the host spend, read from /proc: open files, CPU seconds, resident memory."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

FD_MARGIN = 1000  # files a process keeps besides its sockets, with room to spare


def raise_nofile() -> int:
    """Lift the soft open-files limit to the hard one, so a process can hold its share."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and soft < hard:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    return int(resource.getrlimit(resource.RLIMIT_NOFILE)[0])


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


def cpu_total(pids: Iterable[int]) -> float | None:
    """Summed CPU seconds of some processes; None if any is unreadable."""
    values = [proc_cpu_s(pid) for pid in pids]
    return None if any(v is None for v in values) else sum(v for v in values if v is not None)


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


@dataclass(frozen=True)
class CpuMarks:
    """CPU seconds when connecting began, so the run's share of the host can be told apart."""

    at: float = 0.0  # time.monotonic()
    host: float | None = None
    softirq: float | None = None
    server: float | None = None
    load: float | None = None
    own: float | None = None
