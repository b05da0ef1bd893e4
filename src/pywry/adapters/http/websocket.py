"""The WebSocket route: check the page, admit it to the bridge, pump frames both ways."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, cast

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from ...app.bridge import (
    CLOSE_AUTH,
    CLOSE_GOING_AWAY,
    CLOSE_POLICY,
    CLOSE_TOO_BIG,
    Bridge,
    Rejection,
)
from ...app.pages import PageSession
from .asgi import ASGIApp, Receive, Scope, Send

if TYPE_CHECKING:
    from ...app.settings import ServerSettings

__all__ = ["SUBPROTOCOL", "TOKEN_PREFIX", "RawChannel", "serve_page_socket"]

log = logging.getLogger("pywry.websocket")

SUBPROTOCOL = "pywry.v1"
TOKEN_PREFIX = "pywry.token."  # noqa: S105 - a prefix, not a secret
_PAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_encoder = msgspec.json.Encoder()
_RAW = "pywry.raw_channel"  # scope key of the server's own (receive, send)
# The in-band frame a refused page gets before the close, by close code.
_REFUSAL_EVENTS = {CLOSE_AUTH: "pywry:auth-error", CLOSE_GOING_AWAY: "pywry:server-stopped"}


class _Connection:
    """The bridge's view of one socket.

    Only the task that reads the socket may close it: with Granian, a close sent from
    another task while a ``receive()`` is pending never completes. So ``close`` here asks
    the reading task to do it, by cancelling its pending ``receive()``.
    """

    __slots__ = ("_close", "_reader", "_send", "reading")

    def __init__(self, send: Send) -> None:
        self._send = send
        self._close: tuple[int, str] | None = None
        self._reader = asyncio.current_task()
        self.reading = False  # the reader is parked in receive() and may be cancelled there

    def send_text(self, text: str) -> Awaitable[None]:
        # The server's own send, not awaited here: Granian starts it at once and returns a
        # future, so the page's reader can start an answer without waiting for it.
        return self._send({"type": "websocket.send", "text": text, "bytes": None})

    async def close(self, code: int, reason: str) -> None:
        if self._close is not None:
            return
        self._close = (code, reason)
        if self.reading and self._reader is not None and self._reader is not asyncio.current_task():
            self._reader.cancel()

    @property
    def close_requested(self) -> tuple[int, str] | None:
        return self._close


class RawChannel:
    """Keeps the server's own ``receive``/``send`` of a WebSocket in its scope.

    Litestar wraps both for every message (state checks, exception capture); the page
    socket uses the server's own after the handshake, which takes two wrappers off the
    path of every frame. Everything before that (routing, handshake) stays Litestar's.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "websocket":
            scope[_RAW] = (receive, send)
        await self.app(scope, receive, send)


def _raw_channel(socket: WebSocket[Any, Any, Any]) -> tuple[Receive, Send]:
    """The server's own receive/send when :class:`RawChannel` kept them, else Litestar's."""
    raw = cast("dict[str, Any]", socket.scope).get(_RAW)
    if raw is None:
        return cast("Receive", socket.receive), cast("Send", socket.send)
    return cast("tuple[Receive, Send]", raw)


def _offered(socket: WebSocket[Any, Any, Any]) -> list[str]:
    raw = socket.scope.get("subprotocols") or []
    return [str(item) for item in raw]


def _query_int(socket: WebSocket[Any, Any, Any], name: str) -> int | None:
    value = socket.query_params.get(name)
    if value is None or not value.isdigit() or len(value) > 18:
        return None
    return int(value)


async def _refuse(socket: WebSocket[Any, Any, Any], code: int, error: str, message: str) -> None:
    # Accept first and explain in-band: a close before accept reaches the page only as 1006,
    # which it cannot tell from a network blip.
    frame = _encoder.encode(
        {
            "type": _REFUSAL_EVENTS.get(code, "pywry:error"),
            "data": {"error": error, "message": message, "code": code},
        }
    )
    try:
        await socket.send({"type": "websocket.send", "text": frame.decode(), "bytes": None})
        await socket.close(code, message[:120])
    except Exception:
        log.debug("page went away while being refused", exc_info=True)


def _choose_subprotocol(offered: list[str]) -> tuple[str | None, str | None]:
    """The page's token, and the subprotocol to echo (a browser insists on one it offered)."""
    token = next((p[len(TOKEN_PREFIX) :] for p in offered if p.startswith(TOKEN_PREFIX)), None)
    if SUBPROTOCOL in offered:
        return token, SUBPROTOCOL
    if token is not None:
        return token, TOKEN_PREFIX + token  # clients that offer nothing else get their own back
    return None, None


def _origin_allowed(
    socket: WebSocket[Any, Any, Any], allowed: list[str], *, host_checked: bool
) -> bool:
    if not allowed:
        return True
    origin = socket.headers.get("origin")
    if origin is None or origin == "null":
        return False
    # Listed as a user writes them: "HTTPS://Dash.example/" is the origin https://dash.example.
    if origin in {entry.strip().rstrip("/").lower() for entry in allowed}:
        return True
    # The widget's own page, served by this server under the Host the page asked for, may
    # always connect: the list is for pages elsewhere. Only while the host check vets that
    # Host: without it, a rebinding page's Host and Origin would match each other.
    if not host_checked:
        return False
    host = socket.headers.get("host")
    scheme = "https" if socket.scope.get("scheme") == "wss" else "http"
    return host is not None and origin == f"{scheme}://{host.strip().lower()}"


async def serve_page_socket(
    socket: WebSocket[Any, Any, Any],
    label: str,
    *,
    bridge: Bridge,
    settings: ServerSettings,
) -> None:
    """Run one page's socket from handshake to close."""
    token, chosen = _choose_subprotocol(_offered(socket))
    host_checked = "*" not in settings.allowed_hosts
    if not _origin_allowed(socket, settings.websocket_allowed_origins, host_checked=host_checked):
        await socket.accept(subprotocols=chosen)
        await _refuse(socket, CLOSE_POLICY, "origin", "this page's origin may not connect")
        return
    page_id = socket.query_params.get("page") or ""
    receive, send = _raw_channel(socket)
    conn = _Connection(send)
    result = await bridge.attach(
        label,
        token=token,
        page_id=page_id if _PAGE_ID.match(page_id) else "anonymous",
        since=_query_int(socket, "since"),
        conn=conn,
        admit=lambda: socket.accept(subprotocols=chosen),
    )
    if isinstance(result, Rejection):
        await socket.accept(subprotocols=chosen)
        await _refuse(socket, result.code, result.error, result.message)
        return
    try:
        await _pump(receive, send, conn, result, bridge=bridge, limit=settings.max_message_size)
    except WebSocketDisconnect:
        pass
    finally:
        await bridge.detach(result)


async def _pump(
    receive: Receive,
    send: Send,
    conn: _Connection,
    page: PageSession,
    *,
    bridge: Bridge,
    limit: int,
) -> None:
    """Read the page's frames until it goes, or until the bridge asks to close it.

    A page over its inbound rate is not read for a while: TCP then slows the page down,
    and nothing it sent is dropped or buffered here. One ``await receive()`` per frame,
    no task or wait of its own: a close asked for by another task cancels that await.
    """
    pause = 0.0
    while True:
        if conn.close_requested is None:
            conn.reading = True
            try:
                if pause > 0:
                    await asyncio.sleep(pause)
                    pause = 0.0
                message = await receive()
            except asyncio.CancelledError:
                if conn.close_requested is None:
                    raise  # not ours: the server is stopping
                current = asyncio.current_task()
                if current is not None:
                    current.uncancel()
            finally:
                conn.reading = False
        requested = conn.close_requested
        if requested is not None:
            code, reason = requested
            with contextlib.suppress(Exception):
                await send({"type": "websocket.close", "code": code, "reason": reason})
            return
        if message["type"] != "websocket.receive":
            return
        text = message.get("text")
        if text is None:
            page.send_control("pywry:error", {"error": "binary", "message": "send text frames"})
        elif len(text) > limit // 4 and len(text.encode()) > limit:
            message_text = f"frames are limited to {limit} bytes"
            page.send_control("pywry:error", {"error": "too-big", "message": message_text})
            page.close_after_flush(CLOSE_TOO_BIG, "frame too big")
        else:
            pause = bridge.receive_and_reply(page, text)
