"""uvicorn's websocket protocol, with one addition: the app may abort a connection.

A client that has stopped reading never takes a close frame, and asyncio keeps a transport with
unsent data open until the peer goes; only `abort()` frees it. ASGI has no word for that, so the
transport's `abort` goes into the scope's extensions under ABORT.
"""

from __future__ import annotations

from typing import Any, cast

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

ABORT = "voc.abort"


class AbortableWebSockets(WebSocketsSansIOProtocol):
    async def run_asgi(self) -> None:
        extensions = cast(dict[str, Any], self.scope["extensions"])
        extensions[ABORT] = self.transport.abort
        await super().run_asgi()
