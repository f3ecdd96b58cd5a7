"""Feeds: a named, curated stream = a filter, a mix policy and display settings."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from ticker.records import ALL_BUCKETS, SCALES, SHOWN_BUCKETS

FEED_NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
LANGUAGE = re.compile(r"^[a-z]{2}$")  # ISO 639-1, as ticker/language.py stores it
DEFAULT_FEED = "all"
TITLE_CHARS = 120
SHARES_SLACK = 0.011  # 33 + 33 + 33 % is a whole, rounded
MAX_VALUES = 50  # of one metadata key: each is an index walk of its own


class FeedError(ValueError):
    """A feed definition that cannot be used; the message says which part and why.

    `field` is the dotted path of that part (`mix.shares`), so a form can put it beside it."""

    def __init__(self, message: str, field: str = "") -> None:
        super().__init__(message)
        self.field = field

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": str(self)}


@dataclass(frozen=True)
class FeedFilter:
    """Which verbatims a feed may show.

    `meta` maps a key to the values it may have (any one of them); `scores` maps a scale to the
    range of scores shown on it: when set, only comments scored on a named scale within its range
    (so NPS detractors are `{"nps": (0, 6)}`). `languages` are ISO 639-1 codes; a comment whose
    language is unknown is not of any.
    """

    sources: tuple[str, ...] = ()
    buckets: tuple[str, ...] = SHOWN_BUCKETS
    meta: dict[str, tuple[str, ...]] = field(default_factory=dict)
    max_age_days: int | None = None
    languages: tuple[str, ...] = ()
    scores: dict[str, tuple[float, float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """`meta={"region": "EMEA"}`, one value as before several were allowed, is a tuple."""
        meta = {k: (v,) if isinstance(v, str) else tuple(v) for k, v in self.meta.items()}
        object.__setattr__(self, "meta", meta)

    def admits(self, row: Mapping[str, Any]) -> bool:
        """True if a comment (a verbatims row) is of this feed's sources, metadata and languages:
        what a curator limited to the feed may curate, whatever its bucket, score, state or age."""
        if self.sources and row["source"] not in self.sources:
            return False
        if self.languages and row.get("language") not in self.languages:
            return False
        meta = json.loads(row.get("meta") or "{}")
        return all(meta.get(k) in values for k, values in self.meta.items())


@dataclass(frozen=True)
class MixPolicy:
    """How many of each bucket a feed shows: shares of the playlist, capped by supply.

    `floors` are at least that many of a bucket when there are; `ugly_per_hour` caps the ugly by
    the screen time of one cycle of the playlist (ticker/pacing.py), never below their floor.
    """

    shares: dict[str, float] = field(
        default_factory=lambda: {"good": 0.5, "bad": 0.35, "ugly": 0.15}
    )
    size: int = 60
    spaced: tuple[str, ...] = ("ugly",)  # never two of these in a row
    floors: dict[str, int] = field(default_factory=dict)
    ugly_per_hour: int | None = None


# Labels a ticker may show beside a comment. Everything else an export carries (names, emails,
# IP addresses, other answers) stays in the store: a screen shows only what a feed names.
LAYOUTS = ("ticker", "cards", "wall")
PACINGS = ("reading", "fixed")
ACCESS = ("open", "token")
SHOWN_META = ("product", "region", "channel", "platform", "country", "language", "store")


@dataclass(frozen=True)
class Display:
    """How widgets show the feed."""

    speed: float = 60.0
    direction: str = "left"
    theme: str = "light"
    meta: tuple[str, ...] = SHOWN_META  # metadata labels shown, matched case-insensitively
    layout: str = "ticker"  # "cards": one large comment at a time; "wall": many at once
    pacing: str = "reading"  # how long a card stays: its reading time, or `dwell_seconds`
    dwell_seconds: float = 8.0


@dataclass(frozen=True)
class Feed:
    """A named feed; every widget shows one. `access` "token": screens need a display token."""

    name: str
    title: str
    filter: FeedFilter = field(default_factory=FeedFilter)
    mix: MixPolicy = field(default_factory=MixPolicy)
    display: Display = field(default_factory=Display)
    access: str = "open"

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready definition (the store keeps it as JSON)."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], stored: bool = False) -> Feed:
        """Build and validate a feed; every error says what to change.

        A `stored` definition (older ones included) may have shares that do not add up to 100 %:
        the mixer weighs them all the same; only a new definition must get them right."""
        feed = parse(data)
        feed.validate(stored)
        return feed

    def validate(self, stored: bool = False) -> None:
        """Raise the first problem (FeedError)."""
        found = problems(self, stored)
        if found:
            raise found[0]


def parse(data: Mapping[str, Any]) -> Feed:
    """A feed from its JSON definition, defaults for what it leaves out; not yet validated."""
    if not isinstance(data, Mapping):
        raise FeedError("a feed definition must be a JSON object")
    filt = _object(data, "filter")
    mix = _object(data, "mix")
    display = _object(data, "display")
    name = data.get("name")
    if not isinstance(name, str):
        raise FeedError("name must be a string (required)", "name")
    age = filt.get("max_age_days")
    ugly = mix.get("ugly_per_hour")
    return Feed(
        name=name,
        title=_text(data.get("title") or name, "title"),
        filter=FeedFilter(
            sources=_strings(filt.get("sources", []), "filter.sources"),
            buckets=_strings(filt.get("buckets", list(SHOWN_BUCKETS)), "filter.buckets"),
            meta={k: _values(v, f"filter.meta.{k}") for k, v in _object(filt, "meta").items()},
            max_age_days=None if age is None else _whole(age, "filter.max_age_days"),
            languages=_strings(filt.get("languages", []), "filter.languages"),
            scores={k: _range(v, f"filter.scores.{k}") for k, v in _object(filt, "scores").items()},
        ),
        mix=MixPolicy(
            shares={
                k: _number(v, f"mix.shares.{k}")
                for k, v in _object(mix, "shares", MixPolicy().shares).items()
            },
            size=_whole(mix.get("size", MixPolicy.size), "mix.size"),
            spaced=_strings(mix.get("spaced", list(MixPolicy.spaced)), "mix.spaced"),
            floors={k: _whole(v, f"mix.floors.{k}") for k, v in _object(mix, "floors").items()},
            ugly_per_hour=None if ugly is None else _whole(ugly, "mix.ugly_per_hour"),
        ),
        display=Display(
            speed=_number(display.get("speed", Display.speed), "display.speed"),
            direction=_text(display.get("direction", Display.direction), "display.direction"),
            theme=_text(display.get("theme", Display.theme), "display.theme"),
            meta=_strings(display.get("meta", list(SHOWN_META)), "display.meta"),
            layout=_text(display.get("layout", Display.layout), "display.layout"),
            pacing=_text(display.get("pacing", Display.pacing), "display.pacing"),
            dwell_seconds=_number(
                display.get("dwell_seconds", Display.dwell_seconds), "display.dwell_seconds"
            ),
        ),
        access=_text(data.get("access", "open"), "access"),
    )


def problems(feed: Feed, stored: bool = False) -> list[FeedError]:
    """Everything wrong with a definition, each naming its field and the fix."""
    found: list[FeedError] = []

    def wrong(where: str, message: str) -> None:
        found.append(FeedError(message, where))

    f, m, d = feed.filter, feed.mix, feed.display
    if not FEED_NAME.match(feed.name):
        wrong("name", f"name {feed.name!r} must be 1-64 lowercase letters, digits, '-' or '_'")
    if not feed.title.strip() or len(feed.title) > TITLE_CHARS:
        wrong("title", f"title must be 1-{TITLE_CHARS} characters")
    if unknown := sorted(set(f.buckets) - set(ALL_BUCKETS)):
        wrong("filter.buckets", f"unknown bucket(s) {unknown}; use {', '.join(ALL_BUCKETS)}")
    elif not f.buckets:
        wrong("filter.buckets", "choose at least one bucket to show")
    if odd := [code for code in f.languages if not LANGUAGE.match(code)]:
        wrong(
            "filter.languages",
            f"{', '.join(map(repr, odd))}: use two-letter language codes such as en, fr, de",
        )
    for key, values in f.meta.items():
        if not key.strip() or '"' in key or not values:
            wrong(f"filter.meta.{key}", f"metadata {key!r} needs a name and at least one value")
        elif len(values) > MAX_VALUES:
            wrong(f"filter.meta.{key}", f"metadata {key!r} takes at most {MAX_VALUES} values")
    for scale, (low, high) in f.scores.items():
        _check_range(wrong, scale, low, high)
    if f.max_age_days is not None and f.max_age_days < 1:
        wrong("filter.max_age_days", f"age window {f.max_age_days} must be 1 day or more")
    _check_mix(wrong, m, stored)
    if d.direction not in ("left", "right"):
        wrong("display.direction", f"direction {d.direction!r} must be 'left' or 'right'")
    if d.layout not in LAYOUTS:
        wrong("display.layout", f"layout {d.layout!r} must be one of {', '.join(LAYOUTS)}")
    if d.theme not in ("light", "dark"):
        wrong("display.theme", f"theme {d.theme!r} must be 'light' or 'dark'")
    if not 5 <= d.speed <= 1000:
        wrong("display.speed", f"speed {d.speed:g} px/s must be between 5 and 1000")
    if d.pacing not in PACINGS:
        wrong("display.pacing", f"pacing {d.pacing!r} must be 'reading' or 'fixed'")
    if not 3 <= d.dwell_seconds <= 120:
        wrong("display.dwell_seconds", f"{d.dwell_seconds:g} s a card must be 3 to 120 seconds")
    if feed.access not in ACCESS:
        wrong("access", f"access {feed.access!r} must be 'open' or 'token'")
    return found


def _check_range(wrong: Any, scale: str, low: float, high: float) -> None:
    where = f"filter.scores.{scale}"
    if scale not in SCALES:
        wrong(where, f"unknown scale {scale!r}; use {', '.join(SCALES)}")
        return
    bottom, top = SCALES[scale]
    if low > high:
        wrong(where, f"{scale} scores from {low:g} to {high:g} are inverted: put the lower first")
    elif low < bottom or high > top:
        wrong(where, f"{scale} scores {low:g}-{high:g} fall outside its scale {bottom}-{top}")


def _check_mix(wrong: Any, m: MixPolicy, stored: bool) -> None:
    if unknown := sorted((set(m.shares) | set(m.floors)) - set(ALL_BUCKETS)):
        wrong("mix.shares", f"unknown bucket(s) {unknown} in the mix; use {', '.join(ALL_BUCKETS)}")
    total = sum(m.shares.values())
    if any(v < 0 for v in m.shares.values()) or total <= 0:
        wrong("mix.shares", "mix shares must be 0 % or more, and not all 0 %")
    elif not stored and abs(total - 1) > SHARES_SLACK:
        wrong(
            "mix.shares",
            f"mix shares add up to {100 * total:.0f} %, not 100 %: change "
            f"{', '.join(sorted(m.shares))} so that they do",
        )
    if not 1 <= m.size <= 500:
        wrong("mix.size", f"playlist size {m.size} must be between 1 and 500")
    if any(n < 0 for n in m.floors.values()):
        wrong("mix.floors", "a floor is a number of comments, 0 or more")
    elif sum(m.floors.values()) > m.size:
        wrong(
            "mix.floors",
            f"floors add up to {sum(m.floors.values())}, more than the playlist's {m.size}: "
            "lower them or make the playlist longer",
        )
    if m.ugly_per_hour is not None and m.ugly_per_hour < 0:
        wrong("mix.ugly_per_hour", "the cap on ugly comments per hour must be 0 or more")


def _object(data: Mapping[str, Any], name: str, default: Any = None) -> Mapping[str, Any]:
    value = data.get(name, {} if default is None else default)
    if not isinstance(value, Mapping):
        raise FeedError(f"{name} must be an object, not {value!r}", name)
    return value


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str):
        raise FeedError(f"{where} must be a string, not {value!r}", where)
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not abs(value) < 1e12:
        raise FeedError(f"{where} must be a number, not {value!r}", where)
    return float(value)


def _whole(value: Any, where: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise FeedError(f"{where} must be a whole number, not {value!r}", where)
    return value


def _range(value: Any, where: str) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        raise FeedError(f"{where} must be [lowest, highest], not {value!r}", where)
    return _number(value[0], where), _number(value[1], where)


def _values(value: Any, where: str) -> tuple[str, ...]:
    """One value (as stored before several were allowed) or a list of them."""
    return (value,) if isinstance(value, str) else _strings(value, where)


def _strings(value: Any, where: str) -> tuple[str, ...]:
    """A list of strings from JSON, or FeedError: a bare string would become its characters."""
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        raise FeedError(f"{where} must be a list of strings, not {value!r}", where)
    return tuple(value)


def default_feed(size: int = 60) -> Feed:
    """The feed every installation starts with: all sources, good, bad and ugly, balanced."""
    return Feed(name=DEFAULT_FEED, title="All comments", mix=MixPolicy(size=size))
