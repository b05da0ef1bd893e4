"""Sockets, frames and ports as the security tests use them: a page's socket opened by hand,
its next frame, the close code it got, and waiting for a condition."""

from __future__ import annotations

import json
import socket
import time
import weakref
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from pywry import PyWry

PASSWORD = "correct horse battery staple"


# ------------------------------------------------------------------------ helpers


def root_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def token_of(app: PyWry, label: str) -> str:
    return app.container.gateway().widget(label).token.reveal()


def open_socket(
    app: PyWry,
    label: str,
    *,
    token: str | None = "own",
    protocols: list[str] | None = None,
    origin: str | None = None,
    query: str = "",
    **options: Any,
) -> ClientConnection:
    """A WebSocket to ``label``'s route offering ``pywry.v1`` and the given token."""
    base = app.container.server().base_url
    assert base is not None
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    if protocols is None:
        offered = token_of(app, label) if token == "own" else token
        protocols = ["pywry.v1"] + ([f"pywry.token.{offered}"] if offered else [])
    headers = {"Origin": origin} if origin is not None else None
    return connect(
        f"{scheme}://{parts.netloc}/ws/{label}{query}",
        subprotocols=protocols,  # type: ignore[arg-type]
        additional_headers=headers,
        **{"open_timeout": 5, "close_timeout": 2, "proxy": None, **options},
    )


# Protocol frames a resumable page gets besides events: skipped where a test reads events.
_NOISE = frozenset({"pywry:hello", "pywry:ack"})


_pending: weakref.WeakKeyDictionary[ClientConnection, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def next_frame(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    """The next frame the server sent (batches unpacked), protocol bookkeeping skipped."""
    queue = _pending.setdefault(ws, [])
    deadline = time.monotonic() + timeout
    while not queue:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        queue.extend(f for f in message.get("events", [message]) if f.get("type") not in _NOISE)
    return queue.pop(0)


def close_code(ws: ClientConnection, timeout: float = 5) -> int:
    """Read until the server closes the socket; the code it closed with."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def refusal(ws: ClientConnection) -> tuple[str, str, int]:
    """The in-band error frame of a refused socket, then its close code."""
    frame = next_frame(ws)
    return frame["type"], frame["data"]["error"], close_code(ws)


def echo_round_trip(app: PyWry, label: str) -> Any:
    """Open a page of ``label`` (whose callbacks echo ``app:ping``) and round-trip once."""
    with open_socket(app, label) as ws:
        ws.send(json.dumps({"type": "app:ping", "data": label}))
        return next_frame(ws)["data"]


def echoing(app: PyWry, label: str) -> Callable[[Any], None]:
    def on_ping(data: Any) -> None:
        app.emit("app:pong", data, label=label)

    return on_ping


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until(condition: Callable[[], bool], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()
