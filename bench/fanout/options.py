"""The command line: every option with its default and help, and the checks that guard loopback."""

from __future__ import annotations

import argparse
import resource
from pathlib import Path
from urllib.parse import urlsplit

import bench.fanout
from bench.fanout.resources import FD_MARGIN

LOOPBACK = {"127.0.0.1", "localhost"}
SUMMARY = (bench.fanout.__doc__ or "").split("\n")[0]  # the package docstring's first line


def sizes(text: str) -> list[int]:
    """`--clients 1000,5000,max`: `max` is this host's open-files hard limit minus a margin."""
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    top = 19000 if hard == resource.RLIM_INFINITY else max(1, hard - FD_MARGIN)
    try:
        found = [top if part.strip() == "max" else int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{text!r}: use numbers and 'max', comma-separated"
        ) from None
    if not found or any(n < 1 for n in found):
        raise argparse.ArgumentTypeError("client counts must be positive")
    return found


def edge_counts(text: str) -> list[int]:
    """`--edges 0,3`: one process, then three edges, in the same run."""
    try:
        found = [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: use numbers, comma-separated") from None
    if not found or any(n < 0 for n in found):
        raise argparse.ArgumentTypeError("edge counts are 0 (one process) or more")
    return found


def key_value(text: str) -> tuple[str, str]:
    """`--server-env VOC_CLIENT_QUEUE=256`."""
    key, sep, value = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"{text!r}: use KEY=VALUE")
    return key, value


def parser() -> argparse.ArgumentParser:
    """Options for the coordinator (and, hidden, for the load processes)."""
    p = argparse.ArgumentParser(prog="python -m bench.fanout", description=SUMMARY)
    add = p.add_argument
    add(
        "--clients",
        type=sizes,
        default=sizes("1000,5000,10000,max"),
        help="client counts to run, comma-separated; 'max' = open-files limit - 1000 "
        "(default: 1000,5000,10000,max)",
    )
    add("--hides", type=int, default=5, help="hides per client count (default: 5)")
    add(
        "--procs",
        type=int,
        default=0,
        help="load processes (default: 2, more if one would pass its open-files limit)",
    )
    add(
        "--url",
        help="use this running server (http://127.0.0.1:PORT) instead of starting one; "
        "needs --db, the database it serves",
    )
    add("--db", type=Path, help="database to hide in (default: a fresh one from sample_feedback)")
    add(
        "--ws-url",
        help="with --url: the stream's base, ws://127.0.0.1:PORT (default: same port as --url)",
    )
    add(
        "--stream-port",
        action="store_true",
        help="serve the stream on its own port and connect clients there (with --server-cmd: "
        "sets VOC_STREAM_PORT and {stream_port} to a free port)",
    )
    add("--server-pid", type=int, help="with --url: the server's pid, for memory and CPU")
    add(
        "--server-cmd",
        help="command that starts the server; {db}, {port}, {stream_port}, {host}, {python} "
        "are filled in, the ports with free ones released just now (default: voc-ticker "
        "serve --db {db} --host 127.0.0.1 --port 0, which picks its ports and says them)",
    )
    add(
        "--server-env",
        type=key_value,
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="extra environment for the server, e.g. VOC_CLIENT_QUEUE=256 (repeatable)",
    )
    add(
        "--edges",
        type=edge_counts,
        default=[0],
        help="stream edges to spread the clients over, comma-separated to compare: 0 is one "
        "server process; N starts redis-server, the server as origin and N `voc-ticker edge` "
        "processes (default: 0)",
    )
    add("--feed", default="all", help="feed the clients watch (default: all)")
    add(
        "--concurrency",
        type=int,
        default=100,
        help="handshakes in flight per load process (default: 100)",
    )
    add(
        "--client",
        choices=("lean", "websockets"),
        default="lean",
        help="load clients: 'lean' (raw asyncio, scans bytes for the events; cheap, so the "
        "load process steals little CPU from the server) or 'websockets' (the library's "
        "client, parsing every frame) (default: lean)",
    )
    add("--open-timeout", type=float, default=60.0, help="seconds per connection (default: 60)")
    add(
        "--connect-timeout",
        type=float,
        default=300.0,
        help="seconds for all clients of a size to connect (default: 300)",
    )
    add(
        "--event-timeout",
        type=float,
        default=30.0,
        help="seconds to wait for every client to see a remove/add (default: 30)",
    )
    add(
        "--settle",
        type=float,
        default=3.0,
        help="idle seconds after connecting, before memory is read (default: 3)",
    )
    add(
        "--jitter",
        type=float,
        default=0.3,
        help="random extra wait before each hide, so hides land anywhere in the server's "
        "poll cycle (default: 0.3 s)",
    )
    add("--pause", type=float, default=0.2, help="extra seconds between hides (default: 0.2)")
    add(
        "--timeout",
        type=float,
        default=1200.0,
        help="give up on the whole benchmark after this many seconds (default: 1200)",
    )
    add("--json", action="store_true", help="print the results as JSON instead of a table")
    add("--worker", action="store_true", help=argparse.SUPPRESS)
    add("--count", type=int, default=0, help=argparse.SUPPRESS)  # (load process) its clients
    return p


def check(opts: argparse.Namespace) -> None:
    """Refuse what would leave loopback or could not work."""
    if opts.url:
        if not on_loopback(opts.url, "http://"):
            raise SystemExit("fanout: --url must be http://127.0.0.1:PORT (loopback only)")
        if opts.db is None:
            raise SystemExit("fanout: --url needs --db, the database that server serves")
    if opts.ws_url and (not on_loopback(opts.ws_url, "ws://") or not opts.url):
        raise SystemExit("fanout: --ws-url must be ws://127.0.0.1:PORT, and needs --url")
    if opts.hides < 1 or opts.concurrency < 1:
        raise SystemExit("fanout: --hides and --concurrency must be at least 1")


def on_loopback(url: str, scheme: str) -> bool:
    """Whether `url` is `scheme` to a loopback host: the benchmark never leaves this machine."""
    return (urlsplit(url).hostname or "") in LOOPBACK and url.startswith(scheme)
