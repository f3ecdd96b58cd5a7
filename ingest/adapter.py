"""What an adapter is: a name a source's `adapter` key gives, what it needs, and its functions.

Each platform module declares its adapters (`ADAPTERS = (Pull(...), Webhook(...))`) next to the
functions they name; ingest/registry.py collects them. ticker/sources.py checks a source's keys
against `needs` without knowing any platform.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import httpx

from ingest.api import Page, Sleep
from ticker.records import Verbatim
from ticker.sources import NEEDS, Source

Headers = Mapping[str, str]
# source, its secret, the cursor of the last page stored, a client, how to wait: its pages
Pages = Callable[[Source, str, str | None, httpx.Client, Sleep], Iterator[Page]]
# secret, headers, raw body, now: the delivery's id, or Rejected (ingest/webhooks.py)
Verify = Callable[[str, Headers, bytes, float], str]
# the source and the JSON payload: its verbatims, or RecordError for a malformed one
Parse = Callable[[Source, Any], list[Verbatim]]


def _checked(name: str, needs: Mapping[str, str]) -> None:
    unknown = set(needs) - set(NEEDS)
    if unknown:
        raise ValueError(f"adapter {name!r} needs {sorted(unknown)}; a source has {list(NEEDS)}")


@dataclass(frozen=True)
class Pull:
    """An API read page by page (`voc-ticker pull`, or on a schedule)."""

    name: str
    pages: Pages
    needs: Mapping[str, str] = field(default_factory=dict)  # e.g. {"survey": "SV_…"}
    kind: Literal["pull"] = field(default="pull", init=False)

    def __post_init__(self) -> None:
        _checked(self.name, self.needs)


@dataclass(frozen=True)
class Webhook:
    """Signed deliveries to `POST /webhooks/{source}`: verified on the raw body, then parsed."""

    name: str
    verify: Verify
    parse: Parse
    needs: Mapping[str, str] = field(default_factory=dict)
    kind: Literal["webhook"] = field(default="webhook", init=False)

    def __post_init__(self) -> None:
        _checked(self.name, self.needs)


Adapter = Pull | Webhook
