"""The Origin check: browsers on other sites must not read a feed unless an admin allows them."""

from __future__ import annotations

from collections.abc import Sequence
from urllib.parse import urlsplit


def origin_allowed(
    origin: str | None, host: str | None, http_port: int, allowed: Sequence[str]
) -> bool:
    """Allowed: no Origin (not a browser), a listed origin, `*`, or this server's own pages.

    The server's own pages are those on the host the client connected to, at that address or at
    the HTTP port (the stream may be served on a port of its own).
    """
    if origin is None or "*" in allowed:
        return True
    origin = origin.rstrip("/").lower()
    if origin in (a.lower() for a in allowed):
        return True
    if not host:
        return False
    try:
        seen = urlsplit(origin)
        target = urlsplit("//" + host.lower())
        return seen.hostname == target.hostname and seen.port in (target.port, http_port)
    except ValueError:  # a port that is not a number, an unclosed [IPv6 bracket…
        return False
