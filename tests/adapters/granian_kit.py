"""What the GranianRunner tests serve and how they reach it (their loop and runners are
fixtures of ``granian_fixtures``)."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

import httpx

from pywry.domain.ports import BoundAddress

LOCAL = "127.0.0.1"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 "ok" (``/hang`` never answers) and echoes every WebSocket message."""
    if scope["type"] == "http" and scope["path"] == "/hang":
        await asyncio.Event().wait()
    elif scope["type"] == "http":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send(
                {
                    "type": "websocket.send",
                    "text": message.get("text"),
                    "bytes": message.get("bytes"),
                }
            )


def get(address: BoundAddress, **kwargs: Any) -> httpx.Response:
    # trust_env=False: no proxy from the environment; this traffic stays on the loopback.
    with httpx.Client(trust_env=False, timeout=5, **kwargs) as client:
        return client.get(f"{address.scheme}://{address.host}:{address.port}/")


def listener(*, reuse_port: bool = False) -> socket.socket:
    sock = socket.socket()
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((LOCAL, 0))
    sock.listen()
    return sock
