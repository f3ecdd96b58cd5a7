"""What is printed: the table (or JSON) on stdout, and each size's detail lines on stderr."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from typing import Any

from bench.fanout.results import SizeResult

COLUMNS = (
    ("edges", "edges", "d"),
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
        f"{r.clients} {r.client} clients over {r.procs} load processes"
        f"{f' and {r.edges} edges' if r.edges else ''}; "
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
