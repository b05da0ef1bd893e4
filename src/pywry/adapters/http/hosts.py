"""Refuse requests whose ``Host`` is not one of the server's own names (DNS rebinding)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

# Plain ASGI types: this wrapper sits outside Litestar and speaks raw ASGI.
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

__all__ = ["HostGuard", "host_name"]


def host_name(header: str) -> str:
    """The name part of a ``Host`` header: ``[::1]:8765`` -> ``::1``, ``a:80`` -> ``a``."""
    header = header.strip().lower()
    if header.startswith("["):
        return header[1 : header.find("]")] if "]" in header else header
    if header.count(":") == 1:
        return header.split(":", 1)[0]
    return header


class HostGuard:
    """An ASGI wrapper answering 400 to any request for a host name not in ``allowed``."""

    def __init__(self, app: ASGIApp, *, allowed: frozenset[str] | None) -> None:
        self.app = app
        self._allowed = allowed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self._allowed is not None and scope["type"] in ("http", "websocket"):
            host = b""
            for key, value in scope["headers"]:
                if key == b"host":
                    host = value
                    break
            if host_name(host.decode("latin-1")) not in self._allowed:
                await _bad_host(scope, receive, send)
                return
        await self.app(scope, receive, send)


async def _bad_host(scope: Scope, receive: Receive, send: Send) -> None:
    if scope["type"] == "websocket":
        await receive()  # the connect event
        await send({"type": "websocket.close", "code": 1008, "reason": "host not allowed"})
        return
    body = b"Bad Request: this server does not answer for that host name\n"
    await send(
        {
            "type": "http.response.start",
            "status": 400,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
