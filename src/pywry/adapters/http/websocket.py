"""The WebSocket route: check the page, admit it, pump its frames, close it properly.

Every way a page's socket ends on our side (a refusal, a close the app asks for, the server
stopping) goes through :func:`~.asgi.finish_close`: what the page already sent is read before
the close frame goes. Ending the connection with the page's frames unread would make the
kernel reset it, and the page would lose what it had not read yet: the in-band error and the
close code that tell it what to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, cast

import msgspec
from litestar import WebSocket
from litestar.exceptions import WebSocketDisconnect

from ...app.page_port import PagePort, Rejection
from ...app.pages import PageSession
from ...app.settings import MAX_TEXT_BYTES
from ...domain.ports import PageConnection
from ...domain.protocol import SUBPROTOCOL, TOKEN_PREFIX, Close, Control
from .asgi import ASGIApp, Receive, Scope, Send, finish_close

if TYPE_CHECKING:
    from ...app.settings import ServerSettings

__all__ = ["RawChannel", "serve_page_socket"]

log = logging.getLogger("pywry.websocket")

_encoder = msgspec.json.Encoder()
_RAW = "pywry.raw_channel"  # scope key of the server's own (receive, send)
# The in-band frame a refused page gets before the close, by close code.
_REFUSAL_EVENTS: dict[int, str] = {
    Close.AUTH: Control.AUTH_ERROR,
    Close.GOING_AWAY: Control.SERVER_STOPPED,
    Close.RESTART: Control.SERVER_RESTARTING,
}


class _SocketConnection(PageConnection):
    """The hub's view of one page's socket.

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
        # future, so a page that does not read cannot hold up the code that sends to it.
        return self._send({"type": "websocket.send", "text": text, "bytes": None})

    def send_bytes(self, data: bytes | memoryview) -> Awaitable[None]:
        # Granian takes a view as it is: every page sends the same bytes, none copied here.
        return self._send({"type": "websocket.send", "bytes": data, "text": None})

    def close(self, code: int, reason: str) -> None:
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
    # Accepted first and explained in-band: a close before accept reaches the page only as
    # 1006, which it cannot tell from a network blip.
    frame = _encoder.encode(
        {
            "type": _REFUSAL_EVENTS.get(code, Control.ERROR),
            "data": {"error": error, "message": message, "code": code},
        }
    )
    receive, send = _raw_channel(socket)
    try:
        await send({"type": "websocket.send", "text": frame.decode(), "bytes": None})
    except Exception:
        log.debug("page went away while being refused", exc_info=True)
        return
    await finish_close(receive, send, code, message[:120])


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
    pages: PagePort,
    settings: ServerSettings,
) -> None:
    """Run one page's socket from handshake to close."""
    token, chosen = _choose_subprotocol(_offered(socket))
    host_checked = "*" not in settings.allowed_hosts
    if not _origin_allowed(socket, settings.websocket_allowed_origins, host_checked=host_checked):
        await socket.accept(subprotocols=chosen)
        await _refuse(socket, Close.POLICY, "origin", "this page's origin may not connect")
        return
    receive, send = _raw_channel(socket)
    conn = _SocketConnection(send)
    result = await pages.attach(
        label,
        token=token,
        page_id=socket.query_params.get("page") or "",
        since=_query_int(socket, "since"),
        conn=conn,
        admit=lambda: socket.accept(subprotocols=chosen),
        epoch=socket.query_params.get("epoch"),
    )
    if isinstance(result, Rejection):
        await socket.accept(subprotocols=chosen)
        await _refuse(socket, result.code, result.error, result.message)
        return
    try:
        await _pump(receive, send, conn, result, pages=pages, limit=settings.max_message_size)
    except WebSocketDisconnect:
        pass
    finally:
        await pages.detach(result)


async def _pump(
    receive: Receive,
    send: Send,
    conn: _SocketConnection,
    page: PageSession,
    *,
    pages: PagePort,
    limit: int,
) -> None:
    """Read the page's frames until it goes, or until the hub asks to close it.

    A page over its inbound rate is not read for a while: TCP then slows the page down,
    and nothing it sent is dropped or buffered here. One ``await receive()`` per frame,
    no task or wait of its own: a close asked for by another task cancels that await.
    """
    pause = 0.0
    text_limit = min(limit, MAX_TEXT_BYTES)  # binary values may take the rest
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
            await finish_close(receive, send, *requested)
            return
        if message["type"] != "websocket.receive":
            return
        raw: str | bytes | None = message.get("text")
        if isinstance(raw, str):
            size = len(raw) if len(raw) <= text_limit // 4 else len(raw.encode())
            if size > text_limit:
                size = limit + 1  # refused below, as too big
        else:
            raw = message.get("bytes")  # a piece of the binary values a frame announced
            if raw is None:
                continue
            size = len(raw)
        if size > limit:
            message_text = f"frames are limited to {limit} bytes"
            page.send_control(Control.ERROR, {"error": "too-big", "message": message_text})
            page.close_after_flush(Close.TOO_BIG, "frame too big")
        else:
            pause = await pages.receive(page, raw)
