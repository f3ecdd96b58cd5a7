"""The `voc-ticker` command: ingest, tag, curate, serve and demo."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import io
import json
import logging
import os
import sys
from collections.abc import Sequence
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any, TextIO

import httpx

from ingest.api import PullError
from ingest.columns import Mapping, MappingError
from ingest.decode import UnreadableFile, read_text
from ingest.dryrun import tag_stream
from ingest.files import FORMATS, open_export
from ingest.pull import pull
from ingest.registry import PULLED, load_sources
from ingest.schedule import work
from ticker.curation import ACTIONS
from ticker.feeds import Feed, FeedError
from ticker.judge import Judge
from ticker.outlets import load_outlets
from ticker.pipeline import Pipeline
from ticker.records import Verbatim
from ticker.settings import Settings, SettingsError
from ticker.sources import health
from ticker.store import NotFound, Store, StoreError
from ticker.writer import Writer
from voc.accounts import AccountCommandError
from voc.accounts import add_commands as add_account_commands
from voc.demo import run_demo
from voc.progress import Progress
from voc.server import bind, serve, serve_edge
from web.redis_link import shown

PROGRESS_FROM_ROWS = 5000
DEMO_DB = Path("voc-ticker-demo.db")  # never the production store, unless --db says so


class CommandError(Exception):
    """A failure the user can fix; printed as one line, exit status 1."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.config is None and os.environ.get("VOC_CONFIG"):
        args.config = Path(os.environ["VOC_CONFIG"])  # its [sources] as well as its settings
    try:
        settings = Settings.load(
            args.config,
            db=getattr(args, "db", None),
            host=getattr(args, "host", None),
            port=getattr(args, "port", None),
            stream_port=getattr(args, "stream_port", None),
        )
        return int(args.run(args, settings) or 0)
    except (CommandError, AccountCommandError, SettingsError, NotFound, StoreError) as exc:
        print(f"voc-ticker: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="voc-ticker", description=__doc__)
    p.add_argument("--config", type=Path, help="TOML settings file (default: $VOC_CONFIG)")
    sub = p.add_subparsers(required=True, metavar="COMMAND")

    def command(name: str, run: Any, help: str, db: bool = True) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=help, description=help)
        c.set_defaults(run=run)
        if db:
            c.add_argument(
                "--db", type=Path, help="SQLite database (default: $VOC_DB or voc-ticker.db)"
            )
        return c

    c = command("ingest", _ingest, "Import a CSV or JSON Lines export into the store.")
    c.add_argument("path", type=Path)
    c.add_argument("--source", required=True, help="name of the source, e.g. support-csat")
    c.add_argument(
        "--format",
        choices=FORMATS,
        help="force the format (default: detect)",
    )
    c.add_argument("--encoding", help="force the encoding (default: detect)")
    c.add_argument("--mapping", type=Path, help="TOML file naming the columns")
    c.add_argument("--text", help="column holding the comment")
    c.add_argument("--score", help="column holding the score")
    c.add_argument("--scale", choices=["nps", "csat5", "stars5"], help="the score's scale")
    c.add_argument("--id", help="column holding the response id")
    c.add_argument("--date", help="column holding when the response was given")
    c.add_argument("--progress", action="store_true", help="show progress even on small files")

    c = command(
        "inspect", _inspect, "Show how an export would be read, importing nothing.", db=False
    )
    c.add_argument("path", type=Path)
    c.add_argument("--format", choices=FORMATS)
    c.add_argument("--encoding", help="force the encoding (default: detect)")

    c = command("tag", _tag, "Dry-run the tagger: JSON Lines or CSV in, JSON Lines out.", db=False)
    c.add_argument("path", help="file to read, or - for standard input")

    for name, help in (
        ("hide", "Hide a comment from every feed."),
        ("approve", "Approve a pending comment so feeds may show it."),
        ("pin", "Pin a comment to the front of every feed that may show it."),
        ("unpin", "Unpin a comment."),
    ):
        c = command(name, _curate, help)
        c.set_defaults(action=name)
        c.add_argument("id", help="the comment's id")
        c.add_argument("--actor", default=None, help="who did it (default: your user name)")
        c.add_argument("--reason", "--note", default="", help="why, for the curation log")

    c = command(
        "pull", _pull, "Fetch what is new from a source's API (see [sources] in the config)."
    )
    c.add_argument("source", help="the [sources.NAME] to pull")

    c = command("sources", _sources, "Each source's health: comments, last import, last error.")
    c.add_argument("--json", action="store_true", help="one JSON object per source")

    c = command("feeds", _feeds, "List feeds, or create or change one from a JSON definition.")
    c.add_argument("--set", metavar="JSON", help='e.g. {"name": "support", "filter": {...}}')

    add_account_commands(command)

    command(
        "worker",
        _worker,
        "Run the scheduled pulls (every/cron sources) until stopped, instead of the server "
        "(set pull_in_server = false for the servers).",
    )

    c = command(
        "edge",
        _edge,
        "Run a stream edge: serves screens from what the origin writes to Redis, no database.",
        db=False,
    )
    c.add_argument("--redis", help="Redis URL (default: $VOC_REDIS_URL)")
    c.add_argument("--host", help="interface (default: $VOC_HOST or 127.0.0.1)")
    c.add_argument("--port", type=int, help="port (default: $VOC_PORT or 8000)")
    c.add_argument(
        "--stream-port", type=int, help="stream port (default: $VOC_STREAM_PORT or port + 1)"
    )

    for name, help in (
        ("serve", "Run the server."),
        ("demo", "Create a database from sample_feedback/, serve it and trickle comments in."),
    ):
        c = command(name, _serve if name == "serve" else _demo, help)
        c.add_argument("--host", help="interface (default: $VOC_HOST or 127.0.0.1)")
        c.add_argument("--port", type=int, help="port (default: $VOC_PORT or 8000)")
        c.add_argument(
            "--stream-port", type=int, help="stream port (default: $VOC_STREAM_PORT or port + 1)"
        )
    return p


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    try:
        asked = Mapping.from_file(args.mapping) if args.mapping else Mapping()
        asked = asked.merged(
            Mapping(text=args.text, score=args.score, scale=args.scale, id=args.id, date=args.date)
        )
        export = open_export(args.path, args.source, asked, args.encoding, args.format)
    except (UnreadableFile, MappingError) as exc:
        raise CommandError(str(exc)) from None
    m = export.mapping
    print(
        f"{args.path.name}: {export.format}, {export.encoding}; text={m.text!r} "
        f"score={m.score!r} ({m.scale or 'no scale'}) id={m.id!r} date={m.date!r}"
    )
    if decoded := export.decoding.summary():
        print(f"decoding: {decoded}")
    judge = Judge.from_settings(settings)
    store = Store(settings.db)
    show = args.progress or len(export.records) >= PROGRESS_FROM_ROWS
    bar = Progress(len(export.records), sys.stderr) if show else None
    pipeline = Pipeline(store, judge, settings.tag_workers)
    report = pipeline.ingest(
        args.source, export.format, str(args.path), export.records, export.convert, bar
    )
    if bar:
        bar.finish()
    print(
        f"read {report.read:,}, added {report.added:,}, updated {report.updated:,}, "
        f"duplicates {report.duplicates:,}, empty {report.empty:,}, "
        f"quarantined {len(report.quarantined):,}"
    )
    print(
        "buckets: "
        + ", ".join(
            f"{b} {report.buckets[b]:,}" for b in ("good", "bad", "ugly", "neutral", "noise")
        )
    )
    if report.untagged:
        waiting = _by_language(report.untagged)
        print(f"untagged, waiting for a curator (no tagger here reads them): {waiting}")
    for q in report.quarantined[:20]:
        print(f"  line {q.line}: {q.reason}")
    if len(report.quarantined) > 20:
        print(f"  … and {len(report.quarantined) - 20} more (all kept in the quarantine table)")
    store.close()
    return 0


def _inspect(args: argparse.Namespace, settings: Settings) -> int:
    try:
        export = open_export(args.path, "inspect", Mapping(), args.encoding, args.format)
    except MappingError as exc:
        raise CommandError(
            f"{exc}\nmap the columns with --text/--score/--scale/--id/--date "
            "or --mapping FILE (docs/ingest.md)"
        ) from None
    except UnreadableFile as exc:
        raise CommandError(str(exc)) from None
    m = export.mapping
    rows = [export.convert(record, line) for line, record in export.records]
    verbatims = [r for r in rows if isinstance(r, Verbatim)]
    print(f"file       {args.path}")
    print(f"format     {export.format}, {export.encoding}")
    if decoded := export.decoding.summary():
        print(f"decoding   {decoded} (each comment from such a line says so in its metadata)")
    if export.texts:
        print("text       each answered open-text question is a comment:")
        for column, wording in zip(export.texts, export.questions, strict=True):
            print(f"             {column}" + (f" ({wording[:60]})" if wording != column else ""))
        key = f"{export.keyed_by} + question" if export.keyed_by else export.content_key
    else:
        print(f"text       {m.text}")
        key = m.id
    print(f"score      {m.score or '-'}" + (f" ({m.scale})" if m.score else ""))
    print(f"id         {key or '- (a content hash of comment, date and score)'}")
    print(f"date       {m.date or '-'}")
    print(f"metadata   {', '.join(m.meta or ()) or '-'}")
    print(
        f"rows       {len(rows):,}: {len(verbatims):,} comments, "
        f"{rows.count(None):,} empty, {len(rows) - len(verbatims) - rows.count(None):,} quarantined"
    )
    for v in verbatims[:3]:
        score = f" [{v.score:g} {v.scale}]" if v.score is not None else ""
        print(f"  e.g. {v.text[:70]!r}{score}")
    return 0


def _tag(args: argparse.Namespace, settings: Settings) -> int:
    stream: TextIO = sys.stdin if args.path == "-" else _open_text(Path(args.path))
    errors = tag_stream(stream, sys.stdout, Judge.from_settings(settings).tagger)
    if errors:
        print(
            f"voc-ticker: {errors} row(s) could not be tagged; see their 'error'", file=sys.stderr
        )
    return 1 if errors else 0


def _open_text(path: Path) -> TextIO:
    try:
        text, _ = read_text(path)
    except UnreadableFile as exc:
        raise CommandError(str(exc)) from None
    return io.StringIO(text)


def _curate(args: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings.db)
    actor = args.actor or os.environ.get("VOC_ACTOR") or getpass.getuser()
    stored = ACTIONS[args.action](store, args.id, actor, args.reason)
    print(f"{args.action}: {stored.id} is now {stored.state}{', pinned' if stored.pinned else ''}")
    store.close()
    return 0


def _pull(args: argparse.Namespace, settings: Settings) -> int:
    source = load_sources(args.config).get(args.source)
    if source is None or source.adapter not in PULLED:
        raise CommandError(f"no API source named {args.source!r} in the config file's [sources]")
    judge = Judge.from_settings(settings)
    store = Store(settings.db)
    pipeline = Pipeline(store, judge, 1)
    try:
        with httpx.Client(timeout=30) as client:
            report = pull(pipeline, source, client)
    except PullError as exc:
        raise CommandError(f"{args.source}: {exc}") from None
    finally:
        store.close()
    print(
        f"{args.source}: {report.pages} page(s), added {report.added:,}, "
        f"updated {report.updated:,}, {report.skipped:,} ratings without a comment"
    )
    return 0


def _sources(args: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings.db)
    rows = health(load_sources(args.config), store.source_health(), os.environ)
    store.close()
    for row in rows:
        if args.json:
            print(json.dumps(row, ensure_ascii=False))
            continue
        last = row.get("last_ingest_at") or "never"
        print(
            f"{row['name']:<24} {row['status']:<13} {row.get('comments', 0):>7,} comments, "
            f"last {last}, {row.get('quarantined', 0):,} quarantined"
        )
        if row.get("last_pull_at"):
            print(f"{'':<24} last pull {row['last_pull_at']}: {row['last_pull_added']:,} added")
        if row.get("untagged"):
            print(f"{'':<24} untagged, waiting: {_by_language(row['untagged'])}")
        if row.get("last_error"):
            print(f"{'':<24} last error: {row['last_error']}")
    if not rows:
        print("no sources yet: import a file, or configure [sources.NAME] in the config file")
    return 0


def _feeds(args: argparse.Namespace, settings: Settings) -> int:
    store = Store(settings.db)
    if args.set:
        try:
            store.save_feed(Feed.from_dict(json.loads(args.set)))
        except (json.JSONDecodeError, FeedError) as exc:
            raise CommandError(f"--set: {exc}") from None
    for feed in store.feeds():
        print(json.dumps(feed.to_dict(), ensure_ascii=False))
    store.close()
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    sources = load_sources(args.config)  # a mistake in [sources] is said now, not per delivery
    outlets = load_outlets(args.config)  # and in [outlets]
    judge = Judge.from_settings(settings)  # and a bad mask pattern
    with closing(Store(settings.db)) as store:  # and a --db that is no database or read-only
        store.check_writable()
    bound = bind(settings)
    stream = (
        f"stream on port {bound.settings.stream_at}" if bound.stream else "stream on the same port"
    )
    print(f"VoC Ticker: serving on {bound.url} ({stream})", flush=True)
    serve(bound, sources, judge, outlets=outlets)
    return 0


def _edge(args: argparse.Namespace, settings: Settings) -> int:
    url = args.redis or settings.redis_url
    if not url:
        raise CommandError("an edge needs Redis: --redis redis://host:6379/0 (or VOC_REDIS_URL)")
    bound = bind(settings)
    stream = (
        f"stream on port {bound.settings.stream_at}" if bound.stream else "stream on the same port"
    )
    print(f"VoC Ticker: serving on {bound.url} ({stream}), an edge of {shown(url)}", flush=True)
    serve_edge(bound, url)
    return 0


def _worker(args: argparse.Namespace, settings: Settings) -> int:
    sources = load_sources(args.config)
    judge = Judge.from_settings(settings)
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(message)s")
    writer = Writer(settings.db)
    try:
        asyncio.run(work(Pipeline(writer, judge, 1), sources))
    finally:
        writer.close()
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    run_demo(replace(settings, db=args.db or DEMO_DB))
    return 0


def _by_language(counts: dict[str, int]) -> str:
    """`fr 8, de 4, ? 1`: most first; `?` where the language could not be told."""
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ", ".join(f"{lang} {n:,}" for lang, n in ranked)
