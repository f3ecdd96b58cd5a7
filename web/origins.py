"""Who may open the stream: the Host it was reached by, and the Origin of the page asking."""

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
    if origin in (a.rstrip("/").lower() for a in allowed):
        return True
    if not host:
        return False
    try:
        seen = urlsplit(origin)
        target = urlsplit("//" + host.lower())
        same_host = bool(seen.hostname) and seen.hostname == target.hostname
        return same_host and seen.port in (target.port, http_port)
    except ValueError:  # a port that is not a number, an unclosed [IPv6 bracket…
        return False


def host_allowed(host: str | None, allowed: Sequence[str]) -> bool:
    """The Host header names this server: `*`, an exact name, or a `*.example.com` pattern.

    The same rule as Starlette's TrustedHostMiddleware, which guards the HTTP port.
    """
    if "*" in allowed:
        return True
    try:
        name = urlsplit("//" + (host or "")).hostname
    except ValueError:
        return False
    if not name:
        return False
    return any(
        name == p.lower() or (p.startswith("*.") and name.endswith(p[1:].lower())) for p in allowed
    )
