"""Close the socket Granian's start leaves bound to the server's port on Linux.

Granian 2.8's ``Server.startup`` builds a socket once to check the address and drops the
result without closing it (its workers bind their own). That socket keeps the port bound
after the server stops, so a plain ``bind()`` of the port fails with ``EADDRINUSE`` after
``destroy()``, and every start leaks one descriptor. This module finds it among the
descriptors a start opened: bound to the server's address, neither listening nor connected,
so it is never a socket the server still uses. On systems without ``/proc/self/fd`` it does
nothing (the leak is Linux's alone: elsewhere Granian keeps and closes that socket itself).
"""

from __future__ import annotations

import contextlib
import os
import socket

__all__ = ["close_stray_binds", "open_fds"]

_FD_DIR = "/proc/self/fd"


def open_fds() -> frozenset[int]:
    """The descriptors open in this process now (empty where they cannot be listed)."""
    try:
        return frozenset(int(name) for name in os.listdir(_FD_DIR))
    except OSError:
        return frozenset()


def close_stray_binds(before: frozenset[int], address: tuple[str, int], *, keep: int) -> int:
    """Close sockets opened since ``before`` that are only bound to ``address``; how many.

    ``keep`` (the caller's own reservation of the port) is never touched.
    """
    closed = 0
    for fd in sorted(open_fds() - before - {keep}):
        if _only_bound_to(fd, address):
            with contextlib.suppress(OSError):
                os.close(fd)
                closed += 1
    return closed


def _only_bound_to(fd: int, address: tuple[str, int]) -> bool:
    try:
        sock = socket.socket(fileno=fd)  # borrowed: detached below, never closed here
    except OSError:
        return False  # not a socket
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6) or sock.type != socket.SOCK_STREAM:
            return False
        name = sock.getsockname()
        if (name[0], name[1]) != address:
            return False
        if sock.getsockopt(socket.SOL_SOCKET, socket.SO_ACCEPTCONN):
            return False  # a listener: the server's own
        try:
            sock.getpeername()
        except OSError:
            return True  # bound, not listening, not connected: the stray one
        return False  # a connection
    except OSError:
        return False
    finally:
        sock.detach()
