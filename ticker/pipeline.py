"""The pipeline: verbatims in, tagged, moderated and stored; bad rows quarantined, never lost."""

from __future__ import annotations

import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import chain, islice

from ticker.moderation import flags, initial_state
from ticker.records import Scale, Tag, Verbatim
from ticker.sentiment import Tagger, Thresholds
from ticker.store import QuarantinedRow, Store, Tagged

CHUNK = 2000
Row = Verbatim | QuarantinedRow


@dataclass
class IngestReport:
    """What an import did, for the summary line and the tests."""

    read: int = 0
    added: int = 0
    quarantined: list[QuarantinedRow] = field(default_factory=list)
    buckets: Counter[str] = field(default_factory=Counter)

    @property
    def duplicates(self) -> int:
        return self.read - len(self.quarantined) - self.added


Judgement = tuple[Tag, tuple[str, ...], str]  # tag, moderation flags, initial state


def judge(tagger: Tagger, text: str, score: float | None, scale: Scale | None) -> Judgement:
    """Tag one comment and decide whether it goes live or waits."""
    tag = tagger.tag(text, score, scale)
    found = flags(text, tag)
    return tag, found, initial_state(tag, found)


def tag_verbatims(tagger: Tagger, verbatims: Iterable[Verbatim]) -> list[Tagged]:
    """Tag and moderate verbatims in this process."""
    return [Tagged(v, *judge(tagger, v.text, v.score, v.scale)) for v in verbatims]


_worker_tagger: Tagger | None = None


def _start_worker(thresholds: Thresholds, score_chars: int) -> None:
    global _worker_tagger
    _worker_tagger = Tagger(thresholds, score_chars)


def _judge_in_worker(chunk: list[tuple[str, float | None, Scale | None]]) -> list[Judgement]:
    """Only text, score and scale cross to the worker; only the judgement comes back."""
    assert _worker_tagger is not None, "worker started without a tagger"
    return [judge(_worker_tagger, *item) for item in chunk]


class Pipeline:
    """Tags in worker processes once an import is big enough to pay for them."""

    def __init__(self, store: Store, tagger: Tagger, workers: int = 0) -> None:
        self.store = store
        self.tagger = tagger
        self.workers = workers or os.cpu_count() or 1

    def ingest(
        self,
        source: str,
        kind: str,
        origin: str,
        rows: Iterable[Row],
        progress: Callable[[int], None] | None = None,
    ) -> IngestReport:
        """Store every good row, quarantine every bad one; a bad row never stops the rest."""
        report = IngestReport()
        self.store.ensure_source(source, kind)
        for tagged in self._tagged(self._split(rows, report, origin, source)):
            report.added += self.store.add(tagged)
            report.buckets.update(t.tag.bucket for t in tagged)
            if progress:
                progress(len(tagged))
        return report

    def _split(
        self, rows: Iterable[Row], report: IngestReport, origin: str, source: str
    ) -> Iterator[list[Verbatim]]:
        """Chunks of verbatims; quarantined rows are stored as they are met."""
        it = iter(rows)
        while batch := list(islice(it, CHUNK)):
            report.read += len(batch)
            bad = [r for r in batch if isinstance(r, QuarantinedRow)]
            if bad:
                report.quarantined.extend(bad)
                self.store.quarantine(source, origin, bad)
            yield [r for r in batch if isinstance(r, Verbatim)]

    def _tagged(self, chunks: Iterator[list[Verbatim]]) -> Iterator[list[Tagged]]:
        first = next(chunks, None)
        if first is None:
            return
        second = next(chunks, None)
        if second is None or self.workers < 2:  # one chunk does not pay for starting workers
            for chunk in chain([first], [second] if second else [], chunks):
                yield tag_verbatims(self.tagger, chunk)
            return
        args = (self.tagger.thresholds, self.tagger.score_chars)
        with ProcessPoolExecutor(self.workers, initializer=_start_worker, initargs=args) as pool:
            pending: deque[tuple[list[Verbatim], Future[list[Judgement]]]] = deque()
            for chunk in chain([first, second], chunks):
                work = [(v.text, v.score, v.scale) for v in chunk]
                pending.append((chunk, pool.submit(_judge_in_worker, work)))
                if len(pending) > 2 * self.workers:
                    yield _joined(*pending.popleft())
            while pending:
                yield _joined(*pending.popleft())


def _joined(chunk: list[Verbatim], judged: Future[list[Judgement]]) -> list[Tagged]:
    return [Tagged(v, *j) for v, j in zip(chunk, judged.result(), strict=True)]
