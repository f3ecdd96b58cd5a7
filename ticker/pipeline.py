"""The pipeline: records in; verbatims tagged, moderated and stored; bad rows quarantined.

An import is chunks of raw records (a CSV row, a JSON object) with their line numbers. Each chunk
is converted, tagged and made into store rows in one step, in worker processes when the import is
big enough to pay for them, so the main process only reads the file and writes the database.
"""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from itertools import chain, islice
from typing import Any, Protocol, TypeVar

from ticker import rules
from ticker.judge import Judge
from ticker.records import Verbatim
from ticker.redact import Redactor
from ticker.rows import row_for
from ticker.rules import RuleSet
from ticker.sentiment import Thresholds
from ticker.store import QuarantinedRow, Store, now

T = TypeVar("T")
CHUNK = 2000
Row = Verbatim | QuarantinedRow
Record = tuple[int, Any]  # (line number, what the source gave: a Verbatim, a dict, a CSV row…)
Convert = Callable[[Any, int], Row | None]  # None: a response with no comment


def as_is(record: Any, line: int) -> Row | None:
    """The converter for records that are already verbatims (or quarantined rows)."""
    assert isinstance(record, Verbatim | QuarantinedRow), f"line {line}: {type(record).__name__}"
    return record


def numbered(rows: Iterable[Row]) -> Iterator[Record]:
    """Verbatims made in code, as records."""
    return enumerate(rows, start=1)


@dataclass
class IngestReport:
    """What an import did, for the summary line and the tests."""

    read: int = 0
    added: int = 0
    updated: int = 0  # stored before, edited since on the platform (or a corrected file)
    empty: int = 0
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    newly_quarantined: int = 0  # not in the quarantine before (an API page read again)
    buckets: Counter[str] = field(default_factory=Counter)
    untagged: Counter[str] = field(
        default_factory=Counter
    )  # comments no tagger could read, by language

    @property
    def duplicates(self) -> int:
        return self.read - self.empty - len(self.quarantined) - self.added - self.updated


@dataclass
class Chunk:
    """One chunk's outcome: store rows, quarantined rows, blanks and bucket counts."""

    rows: list[tuple[Any, ...]] = field(default_factory=list)
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    empty: int = 0
    buckets: Counter[str] = field(default_factory=Counter)
    untagged: Counter[str] = field(default_factory=Counter)  # by language
    ruled: dict[str, dict[str, str]] = field(default_factory=dict)  # id -> the rule's log row


def process(judge: Judge, convert: Convert, records: list[Record]) -> Chunk:
    """Convert, tag and judge a chunk of records into store rows."""
    out = Chunk()
    stamp = now()
    for line, record in records:
        row = convert(record, line)
        if row is None:
            out.empty += 1
        elif isinstance(row, QuarantinedRow):
            out.quarantined.append(row)
        else:
            tagged = judge(row)
            out.rows.append(row_for(tagged, stamp))
            if tagged.rule is not None:
                out.ruled[row.key] = tagged.rule
            out.buckets[tagged.tag.bucket] += 1
            if tagged.tag.bucket == "untagged":
                out.untagged[tagged.language or "?"] += 1
    return out


_worker: Judge | None = None


def _start_worker(
    thresholds: Thresholds, score_chars: int, redactor: Redactor, ruleset: RuleSet
) -> None:
    global _worker
    _worker = Judge.from_recipe(thresholds, score_chars, redactor, ruleset)


def _process_in_worker(convert: Convert, records: list[Record]) -> Chunk:
    assert _worker is not None, "worker started without a judge"
    return process(_worker, convert, records)


class Writes(Protocol):
    """Where a pipeline's writes go: a `Store` (one thread) or the process's `Writer`."""

    def write(self, work: Callable[[Store], T]) -> T: ...


class Pipeline:
    """Imports records into the store; a bad row never stops the rest."""

    def __init__(self, writes: Writes, judge: Judge, workers: int = 0) -> None:
        self.writes = writes
        self.judge = judge
        self.workers = workers or os.cpu_count() or 1

    def ingest(
        self,
        source: str,
        kind: str,
        origin: str,
        records: Iterable[Record],
        convert: Convert = as_is,
        progress: Callable[[int], None] | None = None,
        cursor: str | None = None,
    ) -> IngestReport:
        """Store every good row, quarantine every bad one, count the blanks.

        `cursor` (an API pull's resume point) is committed with the rows of the last chunk.
        The stored rules are loaded as the run starts, and again after any chunk whose write
        finds that an admin changed them (chunks in worker processes keep the run's first).
        """
        report = IngestReport()
        self._follow(self.writes.write(partial(_begin, source, kind, self.judge.rules.version)))
        chunks = self._processed(records, convert)
        current = next(chunks, None)
        while current is not None:
            following = next(chunks, None)  # the cursor goes with the last chunk only
            size, chunk = current
            report.read += size
            report.empty += chunk.empty
            report.buckets.update(chunk.buckets)
            report.untagged.update(chunk.untagged)
            last = cursor if following is None else None
            added, updated, quarantined, ruleset = self.writes.write(
                partial(_store, chunk, source, origin, last, self.judge.rules.version)
            )
            self._follow(ruleset)
            report.quarantined.extend(chunk.quarantined)
            report.newly_quarantined += quarantined
            report.added += added
            report.updated += updated
            if progress:
                progress(size)
            current = following
        return report

    def _follow(self, ruleset: RuleSet | None) -> None:
        if ruleset is not None:
            self.judge = replace(self.judge, rules=ruleset)

    def _processed(
        self, records: Iterable[Record], convert: Convert
    ) -> Iterator[tuple[int, Chunk]]:
        it = iter(records)
        chunks = iter(lambda: list(islice(it, CHUNK)), [])
        first, second = next(chunks, None), next(chunks, None)
        if first is None:
            return
        if second is None or self.workers < 2:  # one chunk does not pay for starting workers
            for c in chain([first], [second] if second else [], chunks):
                yield len(c), process(self.judge, convert, c)
            return
        recipe = self.judge.recipe
        with ProcessPoolExecutor(self.workers, initializer=_start_worker, initargs=recipe) as pool:
            pending: deque[tuple[int, Future[Chunk]]] = deque()
            for c in chain([first, second], chunks):
                pending.append((len(c), pool.submit(_process_in_worker, convert, c)))
                if len(pending) > 2 * self.workers:
                    size, done = pending.popleft()
                    yield size, done.result()
            for size, done in pending:
                yield size, done.result()


def _begin(source: str, kind: str, known: int, store: Store) -> RuleSet | None:
    """A run's first write: its source registered, and the rules if they changed."""
    store.ensure_source(source, kind)
    return rules.changed(store, known)


def _store(
    chunk: Chunk, source: str, origin: str, cursor: str | None, known: int, store: Store
) -> tuple[int, int, int, RuleSet | None]:
    """One chunk in one transaction: its quarantined rows before the cursor moves past them.

    Returns how many rows were added, how many updated, how many newly quarantined, and the
    rules if an admin changed them since version `known`."""
    quarantined = store.quarantine(source, origin, chunk.quarantined) if chunk.quarantined else 0
    added, updated = store.store_rows(chunk.rows, source, cursor, chunk.ruled)
    return added, updated, quarantined, rules.changed(store, known)
