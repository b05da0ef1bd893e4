"""The WebSocket route: check the page, admit it to the bridge, pump frames both ways."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
    from ...app.settings import ServerSettings

__all__ = ["SUBPROTOCOL", "TOKEN_PREFIX", "serve_page_socket"]

log = logging.getLogger("pywry.websocket")

SUBPROTOCOL = "pywry.v1"
TOKEN_PREFIX = "pywry.token."  # noqa: S105 - a prefix, not a secret
_PAGE_ID = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_encoder = msgspec.json.Encoder()
# The in-band frame a refused page gets before the close, by close code.
_REFUSAL_EVENTS = {CLOSE_AUTH: "pywry:auth-error", CLOSE_GOING_AWAY: "pywry:server-stopped"}


class _Connection:
    """The bridge's view of one socket.

    Only the task that reads the socket may close it: with Granian, a close sent from
    another task while a ``receive()`` is pending never completes. So ``close`` here only
    asks the reading task to do it.
    """

    __slots__ = ("_close", "_socket")

    def __init__(self, socket: WebSocket[Any, Any, Any]) -> None:
        self._socket = socket
        self._close: asyncio.Future[tuple[int, str]] = asyncio.get_running_loop().create_future()

    async def send_text(self, text: str) -> None:
        await self._socket.send({"type": "websocket.send", "text": text, "bytes": None})

    async def close(self, code: int, reason: str) -> None:
        if not self._close.done():
            self._close.set_result((code, reason))

    @property
    def close_requested(self) -> asyncio.Future[tuple[int, str]]:
        return self._close


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


def _origin_allowed(socket: WebSocket[Any, Any, Any], allowed: list[str]) -> bool:
    if not allowed:
        return True
    origin = socket.headers.get("origin")
    return origin is not None and origin != "null" and origin in allowed


async def serve_page_socket(
    socket: WebSocket[Any, Any, Any],
    label: str,
    *,
    bridge: Bridge,
    settings: ServerSettings,
) -> None:
    """Run one page's socket from handshake to close."""
    token, chosen = _choose_subprotocol(_offered(socket))
    if not _origin_allowed(socket, settings.websocket_allowed_origins):
        await socket.accept(subprotocols=chosen)
        await _refuse(socket, CLOSE_POLICY, "origin", "this page's origin may not connect")
        return
    page_id = socket.query_params.get("page") or ""
    conn = _Connection(socket)
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
        await _pump(socket, conn, result, bridge=bridge, limit=settings.max_message_size)
    except WebSocketDisconnect:
        pass
    finally:
        await bridge.detach(result)


async def _pump(
    socket: WebSocket[Any, Any, Any],
    conn: _Connection,
    page: PageSession,
    *,
    bridge: Bridge,
    limit: int,
) -> None:
    """Read the page's frames until it goes, or until the bridge asks to close it.

    A page over its inbound rate is not read for a while: TCP then slows the page down,
    and nothing it sent is dropped or buffered here.
    """
    closing = conn.close_requested
    pause = 0.0
    while True:
        if pause > 0:
            await asyncio.wait((closing,), timeout=pause)
            pause = 0.0
        receiving = asyncio.ensure_future(socket.receive())
        await asyncio.wait((receiving, closing), return_when=asyncio.FIRST_COMPLETED)
        if not receiving.done():
            receiving.cancel()
            with contextlib.suppress(BaseException):
                await receiving
            code, reason = closing.result()
            with contextlib.suppress(Exception):
                await socket.close(code, reason)
            return
        message = receiving.result()
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
            pause = bridge.receive(page, text)
