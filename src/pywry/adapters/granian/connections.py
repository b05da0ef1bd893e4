"""The ASGI wrapper that knows the server's running requests and WebSockets, so stop can end them.

Granian 2.8's stop returns while upgraded WebSockets and running requests keep its native
threads alive, answering nothing; and a ``websocket.close`` sent while another task awaits
``receive()`` waits for the peer forever. So stop cancels each WebSocket's task, which then
closes its socket (1001, going away) itself; requests get a moment to finish first. The
page sockets are closed by the hub before the server stops; this is for what is left.
"""

from __future__ import annotations

import asyncio
from typing import Any

from ...domain.protocol import Close
from ..http.asgi import finish_close

__all__ = ["ConnectionTracker"]


class ConnectionTracker:
    """Wraps an ASGI app and tracks the task of each request and WebSocket it is running."""

    def __init__(self, app: Any) -> None:
        self._app = app
        self._tasks: set[asyncio.Task[Any]] = set()
        self._websockets: set[asyncio.Task[Any]] = set()
        self._closing = False

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        task = asyncio.current_task()
        if task is None or scope["type"] == "lifespan":
            # Not run as a task, or the app's lifespan: it ends when the server stops it.
            await self._app(scope, receive, send)
            return
        websocket = scope["type"] == "websocket"
        self._tasks.add(task)
        if websocket:
            self._websockets.add(task)
        try:
            await self._app(scope, receive, send)
        except asyncio.CancelledError:
            if not self._closing:
                raise
            # Cancelled by stop: a normal end, not an application error for Granian to log.
            if websocket:
                await finish_close(receive, send, Close.GOING_AWAY)
        finally:
            self._tasks.discard(task)
            self._websockets.discard(task)

    async def close(self, grace: float) -> None:
        """Close WebSockets, wait up to ``grace`` seconds for requests, cancel the rest."""
        self._closing = True
        for task in list(self._websockets):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.wait(list(self._tasks), timeout=grace)
