"""The coordinator: every size in turn under one deadline, then the report, even after Ctrl-C."""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

from bench.fanout.report import progress, report
from bench.fanout.resources import FD_MARGIN, raise_nofile
from bench.fanout.results import SizeResult
from bench.fanout.run import Run
from bench.served import sample_db


async def coordinate(opts: argparse.Namespace, results: list[SizeResult]) -> None:
    """Every size in turn, within the global timeout; a failed size is recorded, not fatal."""
    raise_nofile()  # the server inherits it
    with tempfile.TemporaryDirectory(prefix="voc-fanout-") as name:
        tmp = Path(name)
        async with asyncio.timeout(opts.timeout):
            db = opts.db or await sample_db(tmp / "fanout.db")
            limit = raise_nofile() - FD_MARGIN
            for edges in opts.edges:
                for n in opts.clients:
                    if n > limit * max(edges, 1):
                        results.append(too_many(n, edges, limit))
                        continue
                    run = Run(n, opts, db, tmp, edges)
                    results.append(run.result)  # partial results survive Ctrl-C and --timeout
                    await one_size(run)
                    progress(run.result, opts)


def too_many(n: int, edges: int, limit: int) -> SizeResult:
    """A size that would pass the open-files limit of a process: said, not tried."""
    holders = f"{edges} edges" if edges else "one server process"
    return SizeResult(
        clients=n,
        procs=0,
        edges=edges,
        error=f"{holders} cannot hold {n} screens: each process may open {limit} files",
    )


async def one_size(run: Run) -> None:
    """One size; an ordinary failure becomes the result's `error` so later sizes still run."""
    try:
        await run.run()
    except asyncio.CancelledError:
        run.result.error = "interrupted (Ctrl-C or --timeout) during this size"
        raise
    except TimeoutError:
        run.result.error = "a phase timed out (see --connect-timeout, --event-timeout)"
    except (RuntimeError, OSError, ValueError, KeyError) as exc:
        run.result.error = f"{type(exc).__name__}: {exc}"


def run_coordinator(opts: argparse.Namespace) -> int:
    """Run every size and print what was measured; the exit status says if any size failed."""
    results: list[SizeResult] = []
    status = 0
    try:
        asyncio.run(coordinate(opts, results))
    except KeyboardInterrupt:
        print("fanout: interrupted; partial results follow", file=sys.stderr)
        status = 130
    except TimeoutError:
        print(f"fanout: gave up after --timeout {opts.timeout:.0f} s", file=sys.stderr)
        status = 1
    report(results, opts)
    return status if status else int(any(r.error for r in results))
