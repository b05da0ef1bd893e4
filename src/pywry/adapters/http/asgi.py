"""Plain ASGI for what sits outside Litestar (host check, CORS, closing sockets)."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

__all__ = [
    "CLOSE_QUIET",
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

CLOSE_WAIT = 1.0  # seconds at most that closing a WebSocket waits for its client
CLOSE_QUIET = 0.05  # seconds without a frame from the client before the close frame goes

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
    """Close a WebSocket so that the client reads everything sent before the close frame.

    Granian ends a socket's receiving side as soon as the close frame is sent and drops the
    connection when the app returns. Frames the client sent that were never read then make
    the kernel reset the connection, and the client loses what it had not read yet: the
    frames before the close, and the close code itself. So what the client already sent is
    read and dropped first, until it has been quiet for :data:`CLOSE_QUIET` (at most
    :data:`CLOSE_WAIT`), and only then the close frame goes. A client that closes first
    needs no close frame.

    Cancelled while reading (the server stopping under it), the close frame still goes, with
    ``code``, before the cancellation goes on: a page told the server restarts must not read
    the stopping server's 1001 (going away) instead, and stop retrying.
    """
    close = {"type": "websocket.close", "code": code, "reason": reason}
    # A timeout ends the reading; so does a socket gone already (the close then fails quietly).
    try:
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_WAIT):
                while True:
                    message = await asyncio.wait_for(receive(), CLOSE_QUIET)
                    if message["type"] == "websocket.disconnect":
                        return
    except asyncio.CancelledError:
        with contextlib.suppress(Exception):
            await send(close)
        raise
    with contextlib.suppress(Exception):
        await send(close)
