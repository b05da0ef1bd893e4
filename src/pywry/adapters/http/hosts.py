"""Refuse requests whose ``Host`` is not one of the server's own names (DNS rebinding).

An address (``192.168.1.5``, ``[fd00::2]``) always passes: rebinding needs a DNS name the
attacker controls, and a browser that sends an address as ``Host`` connected to that very
address. So the seed's "available on the network" example works with ``host = "0.0.0.0"``
alone, reached by the machine's address; names other machines use still need ``allowed_hosts``.
"""

from __future__ import annotations

import ipaddress

from ...domain.protocol import Close
from .asgi import ASGIApp, Receive, Scope, Send, header, plain_response

__all__ = ["HostGuard", "host_name", "is_address"]


def host_name(value: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``."""
    value = value.strip().lower()
    if value.startswith("["):
        end = value.find("]")
        rest = value[end + 1 :]
        if end < 0 or (rest and not (rest.startswith(":") and rest[1:].isdigit())):
            return value  # not ``[address]`` or ``[address]:port``: matches nothing
        return value[1:end]
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


def is_address(name: str) -> bool:
    """Whether a host name (as :func:`host_name` gives it) is an IPv4 or IPv6 address."""
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class HostGuard:
    """An ASGI wrapper answering 400 to any request for a host name not in ``allowed``."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str] | None) -> None:
        self.app = app
        self._allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._allowed is not None and scope["type"] in ("http", "websocket"):
            name = host_name(header(scope, b"host") or "")
            if name not in self._allowed and not is_address(name):
                await _bad_host(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _bad_host(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await receive()  # the connect event
        # Before the handshake: the client gets an HTTP 403, nothing to read from it.
        await send({"type": "websocket.close", "code": Close.POLICY, "reason": "host not allowed"})
        return
    await plain_response(
        send, 400, b"Bad Request: this server does not answer for that host name\n"
    )
