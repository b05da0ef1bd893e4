"""Refuse requests whose ``Host`` is not one of the server's own names (DNS rebinding)."""

from __future__ import annotations

from .asgi import ASGIApp, Receive, Scope, Send, header, plain_response

__all__ = ["HostGuard", "host_name"]


def host_name(value: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1 : value.find("]")] if "]" in value else value
    if value.count(":") == 1:
        return value.split(":", 1)[0]
    return value


class HostGuard:
    """An ASGI wrapper answering 400 to any request for a host name not in ``allowed``."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str] | None) -> None:
        self.app = app
        self._allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self._allowed is not None
            and scope["type"] in ("http", "websocket")
            and host_name(header(scope, b"host") or "") not in self._allowed
        ):
            await _bad_host(scope, receive, send)
            return
        await self.app(scope, receive, send)


async def _bad_host(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await receive()  # the connect event
        await send({"type": "websocket.close", "code": 1008, "reason": "host not allowed"})
        return
    await plain_response(
        send, 400, b"Bad Request: this server does not answer for that host name\n"
    )
