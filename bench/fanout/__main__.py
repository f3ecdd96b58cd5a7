"""`python -m bench.fanout`: the coordinator by default, a load process with `--worker`."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bench.fanout.coordinator import run_coordinator
from bench.fanout.options import check, parser
from bench.fanout.worker import run_worker


def main(argv: Sequence[str] | None = None) -> int:
    """Coordinator by default; `--worker` makes this process a load process."""
    opts = parser().parse_args(argv)
    if opts.worker:
        return run_worker(opts)
    check(opts)
    return run_coordinator(opts)


if __name__ == "__main__":
    sys.exit(main())
