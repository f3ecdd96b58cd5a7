"""The bytes the lean client writes and scans for: no I/O, just websocket frames and markers.

The lean client reads the server's frames as bytes, never decoding them: a server's frames are
unmasked text frames of compact JSON (web/hub.py `encode`: separators "," and ":"), and JSON
strings escape every quote, so these byte strings only occur where the server meant them.
"""

from __future__ import annotations

import json
import random

TYPE = b'"type":"'
MESSAGE = b'{"type":"'  # every message starts so; counting it counts messages
HEARTBEAT = b'{"type":"heartbeat"'
MESSAGE_BACK, HEARTBEAT_BACK = len(MESSAGE) - 1, len(HEARTBEAT) - 1
SNAPSHOT = b'{"type":"snapshot"'
WS_GUID = b"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TAIL = 128  # bytes of the last read kept: a marker split over reads, or a whole close frame
MAX_HEAD = 1 << 16  # a 101 response head is far smaller; anything longer is not a websocket


class HandshakeError(Exception):
    """The server did not switch to websocket, or its first message was not a snapshot."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


def markers(ident: str) -> tuple[bytes, bytes]:
    """The bytes of a `remove` and an `add` of `ident`, as web/hub.py `encode` writes them."""
    quoted = json.dumps(ident, ensure_ascii=False)  # an item's `id` is its first field
    remove = TYPE + f'remove","id":{quoted}'.encode()
    add = TYPE + f'add","item":{{"id":{quoted}'.encode()
    return remove, add


def frame_bounds(buf: bytes | bytearray, at: int) -> tuple[int, int] | None:
    """Where the payload of the server frame starting at `at` lies, or None until it is whole."""
    if len(buf) < at + 2:
        return None
    size, start = buf[at + 1] & 0x7F, at + 2
    if size >= 126:
        start += 2 if size == 126 else 8
        if len(buf) < start:
            return None
        size = int.from_bytes(buf[at + 2 : start], "big")
    return (start, start + size) if len(buf) >= start + size else None


def server_close_code(buf: bytes) -> int | None:
    """The code of a close frame that ends `buf` (the server's last words), if one does."""
    at = len(buf)
    while (at := buf.rfind(b"\x88", max(0, len(buf) - 127), at)) >= 0:
        size = len(buf) - at - 2
        if size < 0 or buf[at + 1 : at + 2] != bytes((size,)):
            continue
        if size == 0:
            return 1005  # a close frame without a code
        code = int.from_bytes(buf[at + 2 : at + 4], "big")
        if size >= 2 and 1000 <= code < 5000:  # its first byte is below 0x20: never JSON text
            return code
    return None


def masked_close() -> bytes:
    """A client's close frame, code 1000 (clients must mask what they send)."""
    mask = random.randbytes(4)
    return bytes((0x88, 0x82)) + mask + bytes((0x03 ^ mask[0], 0xE8 ^ mask[1]))
