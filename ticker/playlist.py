"""Playlists and their changes: the server pushes edits to a playlist, never ticks."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Sequence
from dataclasses import replace
from typing import NamedTuple, cast

from ticker import protocol
from ticker.actions import woven
from ticker.feeds import Feed, FeedError
from ticker.mixer import build_playlist
from ticker.pacing import item_seconds
from ticker.protocol import Event, Item
from ticker.records import Stored
from ticker.spotlight import current
from ticker.store import NotFound, Store

log = logging.getLogger("voc_ticker.playlist")


def diff(old: Sequence[Item], new: Sequence[Item]) -> list[Event]:
    """The `remove`, `add` and `update` events that turn `old` into `new`, applied in order.

    An item that only shifts because others came or went needs no event; one whose content
    changed, or that moved past others (a pin), gets an `update` with its new index.
    """
    keep = {i["id"] for i in new}
    events: list[Event] = [protocol.remove(i["id"]) for i in old if i["id"] not in keep]
    current = [i for i in old if i["id"] in keep]
    ids = [i["id"] for i in current]
    for index, item in enumerate(new):
        if index < len(ids) and ids[index] == item["id"]:
            if current[index] != item:
                events.append(protocol.update(item, index))
                current[index] = item
            continue
        if item["id"] in ids:
            at = ids.index(item["id"])
            del ids[at], current[at]
            events.append(protocol.update(item, index))
        else:
            events.append(protocol.add(item, index))
        ids.insert(index, item["id"])
        current.insert(index, item)
    return events


def apply(items: Sequence[Item], events: Sequence[Event]) -> list[Item]:
    """What a client does with events; the reference for widgets and the tests."""
    result = list(items)
    for e in events:
        if e["type"] == "remove":
            gone = e["id"]
            result = [i for i in result if i["id"] != gone]
        elif e["type"] == "add" or e["type"] == "update":
            item = e["item"]
            result = [i for i in result if i["id"] != item["id"]]
            result.insert(e["index"], item)
    return result


def settle(old: Sequence[Item], ideal: Sequence[Item], spaced: Sequence[str]) -> list[Item]:
    """The new playlist, kept as close to what screens show as the mix allows.

    The mixer's ideal order shifts every later item of a bucket when one leaves; sending all
    those moves to every screen for one hide would cost far more than it shows. So survivors
    keep their order, a comment whose pin changed moves to where the mixer puts it, and each
    newcomer goes in near its ideal index where it puts no two spaced comments side by side
    (mending such a pair if a removal made one). Only if that cannot be done does the ideal
    order win.
    """
    fresh = {i["id"]: i for i in ideal}
    result = [
        fresh[i["id"]] for i in old if i["id"] in fresh and i["pinned"] == fresh[i["id"]]["pinned"]
    ]
    placed = {i["id"] for i in result}
    for index, item in enumerate(ideal):
        if item["id"] not in placed:
            result.insert(_position(result, item, index, spaced), item)
    return list(ideal) if _crowded(result, spaced) else result


def _position(items: list[Item], item: Item, index: int, spaced: Sequence[str]) -> int:
    """Where to insert `item`: near `index`, making no spaced pair, mending one if it can."""
    n = len(items)
    if n == 0 or item["pinned"]:  # a pin goes exactly where the mixer puts pins
        return min(index, n)
    nearest = sorted(range(n + 1), key=lambda pos: abs(pos - index))
    around = [
        (items[pos - 1]["bucket"] in spaced, items[pos % n]["bucket"] in spaced)
        for pos in range(n + 1)
    ]
    if item["bucket"] in spaced:
        fits = [pos for pos in nearest if not any(around[pos])]
    else:
        fits = [pos for pos in nearest if all(around[pos])]  # between two spaced: mends a pair
    return fits[0] if fits else min(index, n)


def _crowded(items: Sequence[Item], spaced: Sequence[str]) -> bool:
    """True when two spaced comments are neighbours, the wrap from last to first included."""
    buckets = [i["bucket"] for i in items]
    if len(buckets) < 2:
        return False
    return any(
        a in spaced and b in spaced for a, b in zip(buckets, buckets[1:] + buckets[:1], strict=True)
    )


def current_items(store: Store, feed: Feed, max_chars: int) -> list[Item]:
    """The feed's playlist as protocol items, built now from the store."""
    candidates = store.candidates(feed.filter, per_bucket=feed.mix.size)
    shown = feed.display.meta

    def seconds(s: Stored) -> float:
        return item_seconds(feed.display, min(len(s.shown_text), max_chars))

    playlist = build_playlist(candidates, feed.mix, seconds)
    items = [s.to_item(max_chars, shown) for s in playlist]
    return woven(store, items)  # "you said, we did" cards after the comments they answer


HISTORY = 500  # changes kept for screens that reconnect: a few minutes of busy curation


class Shown(NamedTuple):
    """What screens of a feed have: its definition, its playlist, a spotlight if any, and
    where it is in the feed's changes: every change has an offset within an epoch (one run of
    the feed's tracking), and the last ones are kept so that a screen that reconnects gets
    what it missed instead of a new snapshot (docs/protocol.md, resuming)."""

    feed: Feed
    items: list[Item]
    spot: protocol.Spot | None = None
    epoch: str = "0"
    offset: int = 0
    recent: tuple[Event, ...] = ()

    def since(self, epoch: str, offset: int) -> list[Event] | None:
        """The changes after `offset`, or None when they are not all here (another epoch,
        or longer ago than the history reaches)."""
        if epoch != self.epoch or offset > self.offset or offset < 0:
            return None
        missed = self.offset - offset
        if missed > len(self.recent):
            return None
        return list(self.recent[len(self.recent) - missed :]) if missed else []

    def then(
        self, feed: Feed, items: list[Item], spot: protocol.Spot | None, events: list[Event]
    ) -> tuple[Shown, list[Event]]:
        """The next state after `events`, which it numbers."""
        stamped: list[Event] = []
        for number, event in enumerate(events, start=self.offset + 1):
            stamped.append(cast(Event, {**event, "offset": number}))
        recent = (self.recent + tuple(stamped))[-HISTORY:]
        return Shown(feed, items, spot, self.epoch, self.offset + len(stamped), recent), stamped


def new_epoch() -> str:
    return secrets.token_hex(6)


class Playlists:
    """The last playlist sent for each watched feed, so a change becomes a small diff.

    Its reads run on one thread (the caller's), with the `Store` handed to each call; `cached`
    may be called from any thread: it reads one dict entry, replaced whole on each change.
    """

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self._shown: dict[str, Shown] = {}

    def cached(self, name: str) -> Shown | None:
        """The feed and playlist screens have now, if it is tracked."""
        return self._shown.get(name)

    def snapshot(self, store: Store, name: str) -> Shown:
        """The feed and its playlist now, for a client's first message; raises NotFound."""
        shown = self._shown.get(name)
        if shown is None:
            feed = store.feed(name)
            items = current_items(store, feed, self.max_chars)
            spot = current(store, feed, self.max_chars)
            shown = self._shown[name] = Shown(feed, items, spot, new_epoch())
        return shown

    def resume(self, store: Store, name: str, seen: protocol.Snapshot) -> bool:
        """Track a feed from where screens already are (the snapshot an origin before this one
        left in Redis): its next changes continue that epoch's offsets, so screens get the
        difference, not a new snapshot. False when it cannot (the feed is gone)."""
        try:
            feed = store.feed(name)
            # What screens show, as the definition to diff against: a display they do not
            # have yet goes out as a `display` change.
            shown_display = replace(feed.display, **seen["display"])
            then = replace(feed, title=seen["title"], display=shown_display)
            state = Shown(then, seen["items"], seen["spotlight"], seen["epoch"], seen["offset"])
        except (NotFound, FeedError, KeyError, TypeError, ValueError):
            return False  # gone, or a snapshot of another version: screens get a new one
        self._shown[name] = state
        return True

    def tracked(self) -> list[str]:
        return list(self._shown)

    def forget(self, name: str) -> None:
        """Stop tracking a feed nobody watches any more."""
        self._shown.pop(name, None)

    def refresh(self, store: Store) -> list[tuple[str, list[Event]]]:
        """Rebuild every tracked feed; the events of each that changed, feed by feed (none for
        a feed whose definition alone changed, its access or title: other processes need it).

        A feed whose rebuild fails keeps its last playlist (and raises nothing here): one bad
        feed must not hold back the others. The failure is logged and retried next time.
        """
        changed = []
        for name in list(self._shown):
            before = self._shown[name]
            try:
                events = self._refresh(store, name)
            except Exception:
                log.exception(
                    "feed %r could not be rebuilt; its screens keep the last playlist", name
                )
                continue
            if events or self._shown.get(name) is not before:
                changed.append((name, events))
        return changed

    def _refresh(self, store: Store, name: str) -> list[Event]:
        shown = self._shown[name]
        old_feed, old, old_spot = shown.feed, shown.items, shown.spot
        try:
            feed = store.feed(name)
        except NotFound:
            self.forget(name)
            return shown.then(old_feed, [], None, [protocol.remove(i["id"]) for i in old])[1]
        new = settle(old, current_items(store, feed, self.max_chars), feed.mix.spaced)
        spot = current(store, feed, self.max_chars)
        events: list[Event] = list(diff(old, new))
        if feed.display != old_feed.display:
            events.append(protocol.display(display_fields(feed)))
        if spot != old_spot:
            events.append(protocol.spotlight(spot))
        if events or feed != old_feed:
            self._shown[name], events = shown.then(feed, new, spot, events)
        return events


def display_fields(feed: Feed) -> protocol.DisplayFields:
    """What widgets need of the display settings (the meta labels are applied server-side)."""
    d = feed.display
    return {
        "speed": d.speed,
        "direction": d.direction,
        "theme": d.theme,
        "layout": d.layout,
        "pacing": d.pacing,
        "dwell_seconds": d.dwell_seconds,
    }


def snapshot_message(shown: Shown, heartbeat: float) -> protocol.Snapshot:
    """The first message every client gets (docs/protocol.md)."""
    feed = shown.feed
    return protocol.snapshot(
        feed.name,
        feed.title,
        display_fields(feed),
        heartbeat,
        shown.items,
        shown.spot,
        shown.epoch,
        shown.offset,
    )
