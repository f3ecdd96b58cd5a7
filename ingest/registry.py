"""The one list of adapters a source may name, collected from the platforms' own modules.

Adding a platform is a module that declares `ADAPTERS = (Pull(...), Webhook(...))` beside its
functions, one line here, a fake in tests/fakes, a test and a section in docs/sources.md.
"""

from __future__ import annotations

from pathlib import Path

from ingest import (
    appstore,
    delighted,
    formbricks,
    qualtrics_api,
    surveymonkey,
    typeform,
    webhooks,
    zendesk,
)
from ingest.adapter import Adapter, Pull, Webhook
from ticker import sources
from ticker.sources import Source

DECLARED: tuple[Adapter, ...] = (
    *webhooks.ADAPTERS,
    *typeform.ADAPTERS,
    *formbricks.ADAPTERS,
    *delighted.ADAPTERS,
    *zendesk.ADAPTERS,
    *qualtrics_api.ADAPTERS,
    *surveymonkey.ADAPTERS,
    *appstore.ADAPTERS,
)


def _by_name(declared: tuple[Adapter, ...]) -> dict[str, Adapter]:
    found: dict[str, Adapter] = {}
    for adapter in declared:
        if adapter.name in found:
            raise ValueError(f"two adapters are named {adapter.name!r}")
        found[adapter.name] = adapter
    return found


ADAPTERS: dict[str, Adapter] = _by_name(DECLARED)
PULLED: dict[str, Pull] = {n: a for n, a in ADAPTERS.items() if isinstance(a, Pull)}
WEBHOOKS: dict[str, Webhook] = {n: a for n, a in ADAPTERS.items() if isinstance(a, Webhook)}


def load_sources(config: Path | None) -> dict[str, Source]:
    """The config file's `[sources.NAME]` tables, each checked against its adapter."""
    return sources.load_sources(config, ADAPTERS)


def pulled(name: str) -> Pull | None:
    """The adapter `name` if it is pulled from an API, else None."""
    return PULLED.get(name)


def webhook(name: str) -> Webhook | None:
    """The adapter `name` if it receives webhooks, else None."""
    return WEBHOOKS.get(name)
