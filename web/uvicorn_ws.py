"""uvicorn's websocket protocol, with one addition: the app may reach the connection's transport.

A client that has stopped reading never takes a close frame, and asyncio keeps a transport with
unsent data open until the peer goes; only `abort()` frees it. The kernel's send buffer must be
capped too, or a stalled client holds megabytes there. ASGI has no word for either, so the
transport goes into the scope's extensions under TRANSPORT.
"""

from __future__ import annotations

from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

TRANSPORT = "voc.transport"


class AbortableWebSockets(WebSocketsSansIOProtocol):
    async def run_asgi(self) -> None:
        extensions = cast(dict[str, Any], self.scope["extensions"])
        extensions[TRANSPORT] = self.transport
        await super().run_asgi()
