"""Feeds: a named, curated stream = a filter, a mix policy and display settings."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ticker.records import ALL_BUCKETS, SHOWN_BUCKETS

FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
DEFAULT_FEED = "all"


class FeedError(ValueError):
    """A feed definition that cannot be used; the message says which part and why."""


@dataclass(frozen=True)
class FeedFilter:
    """Which verbatims a feed may show."""

    sources: tuple[str, ...] = ()
    buckets: tuple[str, ...] = SHOWN_BUCKETS
    meta: dict[str, str] = field(default_factory=dict)
    max_age_days: int | None = None

    def admits(self, row: Mapping[str, Any]) -> bool:
        """True if a comment (a verbatims row) is of this feed's sources and metadata: what a
        curator limited to the feed may curate, whatever its bucket, state or age."""
        if self.sources and row["source"] not in self.sources:
            return False
        meta = json.loads(row.get("meta") or "{}")
        return all(meta.get(k) == v for k, v in self.meta.items())


@dataclass(frozen=True)
class MixPolicy:
    """How many of each bucket a feed shows: shares of the playlist, capped by supply."""

    shares: dict[str, float] = field(
        default_factory=lambda: {"good": 0.5, "bad": 0.35, "ugly": 0.15}
    )
    size: int = 60
    spaced: tuple[str, ...] = ("ugly",)  # never two of these in a row


# Labels a ticker may show beside a comment. Everything else an export carries (names, emails,
# IP addresses, other answers) stays in the store: a screen shows only what a feed names.
LAYOUTS = ("ticker", "cards")
SHOWN_META = ("product", "region", "channel", "platform", "country", "language", "store")


@dataclass(frozen=True)
class Display:
    """How widgets show the feed."""

    speed: float = 60.0
    direction: str = "left"
    theme: str = "light"
    meta: tuple[str, ...] = SHOWN_META  # metadata labels shown, matched case-insensitively
    layout: str = "ticker"  # or "cards": one large comment at a time (LAYOUTS)


@dataclass(frozen=True)
class Feed:
    """A named feed; every widget shows one."""

    name: str
    title: str
    filter: FeedFilter = field(default_factory=FeedFilter)
    mix: MixPolicy = field(default_factory=MixPolicy)
    display: Display = field(default_factory=Display)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready definition (the store keeps it as JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Feed:
        """Build and validate a feed; every error says what to change."""
        try:
            filt = data.get("filter", {})
            mix = data.get("mix", {})
            feed = cls(
                name=str(data["name"]),
                title=str(data.get("title") or data["name"]),
                filter=FeedFilter(
                    sources=_strings(filt.get("sources", []), "filter.sources"),
                    buckets=_strings(filt.get("buckets", list(SHOWN_BUCKETS)), "filter.buckets"),
                    meta={str(k): str(v) for k, v in filt.get("meta", {}).items()},
                    max_age_days=filt.get("max_age_days"),
                ),
                mix=MixPolicy(
                    shares={
                        str(k): float(v) for k, v in mix.get("shares", MixPolicy().shares).items()
                    },
                    size=int(mix.get("size", MixPolicy.size)),
                    spaced=_strings(mix.get("spaced", list(MixPolicy.spaced)), "mix.spaced"),
                ),
                display=_display(data.get("display", {})),
            )
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FeedError(f"feed definition is not valid: {exc}") from exc
        feed.validate()
        return feed

    def validate(self) -> None:
        """Raise FeedError naming the first thing wrong."""
        if not FEED_NAME.match(self.name):
            raise FeedError(
                f"feed name {self.name!r} must be 1-64 lowercase letters, digits, '-' or '_'"
            )
        unknown = set(self.filter.buckets) - set(ALL_BUCKETS)
        if unknown:
            raise FeedError(f"unknown bucket(s) {sorted(unknown)}; use {', '.join(ALL_BUCKETS)}")
        if any(v < 0 for v in self.mix.shares.values()) or sum(self.mix.shares.values()) <= 0:
            raise FeedError("mix shares must be non-negative and add up to more than 0")
        if not 1 <= self.mix.size <= 500:
            raise FeedError(f"playlist size {self.mix.size} must be between 1 and 500")
        if self.display.direction not in ("left", "right"):
            raise FeedError(f"direction {self.display.direction!r} must be 'left' or 'right'")
        if self.display.layout not in LAYOUTS:
            raise FeedError(f"layout {self.display.layout!r} must be one of {', '.join(LAYOUTS)}")
        if self.display.theme not in ("light", "dark"):
            raise FeedError(f"theme {self.display.theme!r} must be 'light' or 'dark'")
        age = self.filter.max_age_days
        if age is not None and (not isinstance(age, int) or isinstance(age, bool) or age < 1):
            raise FeedError(f"max_age_days {age!r} must be a whole number of days, 1 or more")
        if not 5 <= self.display.speed <= 1000:
            raise FeedError(f"speed {self.display.speed} px/s must be between 5 and 1000")


def _display(data: dict[str, Any]) -> Display:
    if "meta" in data:
        data = {**data, "meta": _strings(data["meta"], "display.meta")}
    return Display(**data)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of strings from JSON, or FeedError: a bare string would become its characters."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise FeedError(f"{where} must be a list of strings, not {value!r}")
    return tuple(value)


def default_feed(size: int = 60) -> Feed:
    """The feed every installation starts with: all sources, good, bad and ugly, balanced."""
    return Feed(name=DEFAULT_FEED, title="All comments", mix=MixPolicy(size=size))
