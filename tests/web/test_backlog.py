"""A stalled client's backlog is bounded by client_backlog_kb, the kernel's buffer included."""

from __future__ import annotations

import socket
from typing import Any

import pytest

from web.backlog import cap_send_buffer


class Transport:
    """Just enough of an asyncio transport: its socket."""

    def __init__(self, sock: socket.socket | None) -> None:
        self.sock = sock

    def get_extra_info(self, name: str) -> Any:
        return self.sock if name == "socket" else None


@pytest.mark.parametrize("backlog_kb", [16, 256, 4096])
def test_kernel_and_user_space_together_stay_within_the_backlog(backlog_kb: int) -> None:
    """What the kernel may hold plus what we queue never passes the configured backlog."""
    backlog = backlog_kb * 1024
    left, right = socket.socketpair()
    with left, right:
        default = left.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        user = cap_send_buffer(Transport(left), backlog)  # type: ignore[arg-type]
        kernel = left.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        assert user + kernel <= backlog and user >= backlog // 2
        assert kernel < default or kernel <= backlog // 2


def test_a_transport_without_a_socket_keeps_the_whole_backlog() -> None:
    """No socket to cap (a test transport, a pipe): the bound stays in user space alone."""
    assert cap_send_buffer(Transport(None), 65536) == 65536  # type: ignore[arg-type]
