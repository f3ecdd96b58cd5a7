"""What one size measured, as data: the table, the detail lines and the JSON all read it."""

from __future__ import annotations

import os
from dataclasses import dataclass, field


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
    edges: int = 0  # 0: one server process; else edges the clients were spread over
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
