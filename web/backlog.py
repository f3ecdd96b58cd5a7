"""A client's backlog: what may wait for it in our buffers and in the kernel's, together.

Left alone, Linux grows a socket's send buffer to megabytes for a client that stopped reading
(measured: about 3 MB per stalled screen), on top of the user-space bound. Capping SO_SNDBUF
makes `client_backlog_kb` the real bound.
"""

from __future__ import annotations

import asyncio
import socket

MIN_KERNEL_BUFFER = 4096


def cap_send_buffer(transport: asyncio.BaseTransport, backlog: int) -> int:
    """Give the kernel half of `backlog` (it doubles what it is asked for, for bookkeeping);
    returns what may wait in user space before the client is dropped as too slow."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return backlog
    kernel = max(MIN_KERNEL_BUFFER, backlog // 4)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, kernel)
        granted = int(sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF))
    except OSError:
        return backlog
    return max(backlog - granted, backlog // 2)
