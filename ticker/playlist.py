"""Playlists and their changes: the server pushes edits to a playlist, never ticks."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

from ticker.feeds import Feed
from ticker.mixer import build_playlist
from ticker.store import NotFound, Store

log = logging.getLogger("voc_ticker.playlist")
Item = dict[str, Any]
Event = dict[str, Any]


def diff(old: Sequence[Item], new: Sequence[Item]) -> list[Event]:
    """The `remove`, `add` and `update` events that turn `old` into `new`, applied in order.

    An item that only shifts because others came or went needs no event; one whose content
    changed, or that moved past others (a pin), gets an `update` with its new index.
    """
    keep = {i["id"] for i in new}
    events: list[Event] = [{"type": "remove", "id": i["id"]} for i in old if i["id"] not in keep]
    current = [i for i in old if i["id"] in keep]
    ids = [i["id"] for i in current]
    for index, item in enumerate(new):
        if index < len(ids) and ids[index] == item["id"]:
            if current[index] != item:
                events.append({"type": "update", "item": item, "index": index})
                current[index] = item
            continue
        if item["id"] in ids:
            at = ids.index(item["id"])
            del ids[at], current[at]
            events.append({"type": "update", "item": item, "index": index})
        else:
            events.append({"type": "add", "item": item, "index": index})
        ids.insert(index, item["id"])
        current.insert(index, item)
    return events


def apply(items: Sequence[Item], events: Sequence[Event]) -> list[Item]:
    """What a client does with events; the reference for widgets and the tests."""
    result = list(items)
    for e in events:
        if e["type"] == "remove":
            result = [i for i in result if i["id"] != e["id"]]
        elif e["type"] in ("add", "update"):
            result = [i for i in result if i["id"] != e["item"]["id"]]
            result.insert(e["index"], e["item"])
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
    return [s.to_item(max_chars, shown) for s in build_playlist(candidates, feed.mix)]


class Playlists:
    """The last playlist sent for each watched feed, so a change becomes a small diff."""

    def __init__(self, store: Store, max_chars: int) -> None:
        self.store = store
        self.max_chars = max_chars
        self._items: dict[str, list[Item]] = {}
        self._feeds: dict[str, Feed] = {}

    def snapshot(self, name: str) -> tuple[Feed, list[Item]]:
        """The feed and its playlist now, for a client's first message; raises NotFound."""
        if name not in self._feeds:
            feed = self.store.feed(name)
            self._feeds[name], self._items[name] = (
                feed,
                current_items(self.store, feed, self.max_chars),
            )
        return self._feeds[name], self._items[name]

    def tracked(self) -> list[str]:
        return list(self._feeds)

    def forget(self, name: str) -> None:
        """Stop tracking a feed nobody watches any more."""
        self._feeds.pop(name, None)
        self._items.pop(name, None)

    def refresh(self) -> Iterator[tuple[str, list[Event]]]:
        """Rebuild every tracked feed; yield the events of each that changed, feed by feed.

        A feed whose rebuild fails keeps its last playlist (and raises nothing here): one bad
        feed must not hold back the others. The failure is logged and retried next time.
        """
        for name in list(self._feeds):
            try:
                events = self._refresh(name)
            except Exception:
                log.exception(
                    "feed %r could not be rebuilt; its screens keep the last playlist", name
                )
                continue
            if events:
                yield name, events

    def _refresh(self, name: str) -> list[Event]:
        try:
            feed = self.store.feed(name)
        except NotFound:
            events = [{"type": "remove", "id": i["id"]} for i in self._items[name]]
            self.forget(name)
            return events
        old = self._items[name]
        new = settle(old, current_items(self.store, feed, self.max_chars), feed.mix.spaced)
        events = diff(old, new)
        if feed.display != self._feeds[name].display:
            events.append({"type": "display", "display": _display(feed)})
        self._feeds[name], self._items[name] = feed, new
        return events


def _display(feed: Feed) -> dict[str, Any]:
    """What widgets need of the display settings (the meta labels are applied server-side)."""
    d = feed.display
    return {"speed": d.speed, "direction": d.direction, "theme": d.theme}


def snapshot_message(feed: Feed, items: list[Item], heartbeat: float) -> Event:
    """The first message every client gets (docs/protocol.md)."""
    return {
        "type": "snapshot",
        "feed": feed.name,
        "title": feed.title,
        "display": _display(feed),
        "heartbeat": heartbeat,
        "items": items,
    }
