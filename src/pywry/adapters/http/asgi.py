"""Plain ASGI for what sits outside Litestar (host check, CORS, closing sockets)."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "CLOSE_WAIT",
    "ASGIApp",
    "Message",
    "Receive",
    "Scope",
    "Send",
    "finish_close",
    "header",
    "plain_response",
]

CLOSE_WAIT = 1.0  # seconds a client gets to answer our close frame with its own

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def header(scope: Scope, name: bytes) -> str | None:
    """The first request header called ``name`` (lower-case bytes), or None."""
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


async def plain_response(send: Send, status: int, body: bytes) -> None:
    """A short plain-text answer, sent without going through the framework."""
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"text/plain; charset=utf-8"),
                (b"content-length", str(len(body)).encode()),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


async def finish_close(receive: Receive, send: Send, code: int, reason: str = "") -> None:
    """Close a WebSocket: our close frame, then what the client still sends is read and
    dropped until its own close frame arrives (or :data:`CLOSE_WAIT` passes).

    Ending the connection with the client's frames unread makes the kernel reset it, and the
    client then loses what it had not read yet: the frames before our close, and the close
    code itself.
    """
    try:
        await send({"type": "websocket.close", "code": code, "reason": reason})
        async with asyncio.timeout(CLOSE_WAIT):
            while (await receive())["type"] != "websocket.disconnect":
                pass
    except Exception:  # noqa: S110 - gone already, or too slow to answer: closed either way
        pass
