"""The stream protocol's messages, each made by one typed constructor (docs/protocol.md).

Every message a server sends or a client may send is built here and nowhere else, and
`SERVER_TYPES` / `CLIENT_TYPES` are the lists a test holds against the documentation.
"""

from __future__ import annotations

import json
from typing import Any, Literal, NotRequired, TypedDict

Item = dict[str, Any]  # the item object: `Stored.to_item`


class DisplayFields(TypedDict):
    speed: float
    direction: str
    theme: str
    layout: str
    pacing: str  # cards: "reading" (the comment's reading time) or "fixed" (dwell_seconds)
    dwell_seconds: float


class Spot(TypedDict):
    """A comment shown large on every screen of a feed until `until` (`seconds` in all)."""

    item: Item
    until: str
    seconds: float


class Snapshot(TypedDict):
    type: Literal["snapshot"]
    feed: str
    title: str
    display: DisplayFields
    heartbeat: float
    items: list[Item]
    spotlight: Spot | None
    epoch: str  # this run of the feed's changes: offsets count within it
    offset: int  # the offset of the last change the snapshot includes


class Resumed(TypedDict):
    """A reconnecting client is up to date from `offset` on: the changes it missed follow."""

    type: Literal["resumed"]
    feed: str
    epoch: str
    offset: int
    heartbeat: float


class Spotlight(TypedDict):
    type: Literal["spotlight"]
    spotlight: Spot | None  # None: back to the playlist
    offset: NotRequired[int]  # every change has one, from the playlist (ticker/playlist.py)


class Placed(TypedDict):
    type: Literal["add", "update"]
    item: Item
    index: int
    offset: NotRequired[int]


class Remove(TypedDict):
    type: Literal["remove"]
    id: str
    offset: NotRequired[int]


class DisplayChange(TypedDict):
    type: Literal["display"]
    display: DisplayFields
    offset: NotRequired[int]


class Heartbeat(TypedDict):
    type: Literal["heartbeat"]
    at: str


class Error(TypedDict):
    type: Literal["error"]
    code: str
    message: str


class Bare(TypedDict):
    type: Literal["pong", "ping"]


Event = Placed | Remove | DisplayChange | Spotlight  # a change to what screens show
Message = Snapshot | Resumed | Event | Heartbeat | Error | Bare

SERVER_TYPES = (
    "snapshot",
    "resumed",
    "add",
    "update",
    "remove",
    "display",
    "spotlight",
    "heartbeat",
    "error",
    "pong",
)
CLIENT_TYPES = ("ping",)


def snapshot(
    feed: str,
    title: str,
    display: DisplayFields,
    heartbeat: float,
    items: list[Item],
    spot: Spot | None,
    epoch: str,
    offset: int,
) -> Snapshot:
    """The first message every client gets: it replaces all the client knew."""
    return {
        "type": "snapshot",
        "feed": feed,
        "title": title,
        "display": display,
        "heartbeat": heartbeat,
        "items": items,
        "spotlight": spot,
        "epoch": epoch,
        "offset": offset,
    }


def resumed(feed: str, epoch: str, offset: int, heartbeat: float) -> Resumed:
    return {
        "type": "resumed",
        "feed": feed,
        "epoch": epoch,
        "offset": offset,
        "heartbeat": heartbeat,
    }


def spotlight(spot: Spot | None) -> Spotlight:
    return {"type": "spotlight", "spotlight": spot}


def add(item: Item, index: int) -> Placed:
    return {"type": "add", "item": item, "index": index}


def update(item: Item, index: int) -> Placed:
    return {"type": "update", "item": item, "index": index}


def remove(item_id: str) -> Remove:
    return {"type": "remove", "id": item_id}


def display(fields: DisplayFields) -> DisplayChange:
    return {"type": "display", "display": fields}


def heartbeat(at: str) -> Heartbeat:
    return {"type": "heartbeat", "at": at}


def error(code: str, message: str) -> Error:
    """Sent just before the server closes the socket; `code` is also the close reason."""
    return {"type": "error", "code": code, "message": message}


def pong() -> Bare:
    return {"type": "pong"}


def encode(message: Message) -> str:
    """One compact JSON text per message, shared by every client that receives it."""
    return json.dumps(message, ensure_ascii=False, separators=(",", ":"))
