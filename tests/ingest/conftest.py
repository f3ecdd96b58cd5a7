"""What the pull tests share: a one-process pipeline, and waits recorded instead of slept."""

from __future__ import annotations

from collections.abc import Mapping

import httpx
import pytest

from ingest.pull import PullReport, pull
from ticker.judge import Judge
from ticker.pipeline import Pipeline
from ticker.redact import Redactor
from ticker.sentiment import Tagger
from ticker.sources import Source
from ticker.store import Store


class Sleeps(list[float]):
    """Records the waits a pull asks for instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def pipeline(store: Store, tagger: Tagger) -> Pipeline:
    return Pipeline(store, Judge(tagger, Redactor()), workers=1)


def pulled(
    pipeline: Pipeline, source: Source, env: Mapping[str, str], sleeps: Sleeps | None = None
) -> PullReport:
    """One pull of the source against a fake, as the CLI and the scheduler run it."""
    with httpx.Client(timeout=10) as client:
        return pull(pipeline, source, client, Sleeps() if sleeps is None else sleeps, env)
