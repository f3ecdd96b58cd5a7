"""The Origin check: browsers on other sites must not read a feed unless an admin allows them."""

from __future__ import annotations

from collections.abc import Sequence

from starlette.datastructures import Headers


def origin_allowed(headers: Headers, allowed: Sequence[str]) -> bool:
    """Allowed: no Origin (not a browser), the server's own origin, a listed one, or `*`."""
    origin = headers.get("origin")
    if origin is None or "*" in allowed:
        return True
    origin = origin.rstrip("/").lower()
    if origin in (a.lower() for a in allowed):
        return True
    host = headers.get("host", "").lower()
    return origin.split("://", 1)[-1] == host
