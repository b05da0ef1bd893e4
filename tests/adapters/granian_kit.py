"""What the GranianRunner tests serve and how they reach it, and the fixtures of the loop
and runners they start.

A test module imports the fixtures by their function names (``loop_thread_fixture``...); pytest
finds them there under their fixture names (``loop_thread``, ``runners``, ``runner``), which
the tests' arguments use.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pywry.adapters.granian import GranianRunner
from pywry.app.loop import LoopThread
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


@pytest.fixture(name="loop_thread")
def loop_thread_fixture() -> Iterator[LoopThread]:
    """A started LoopThread, stopped after the test."""
    thread = LoopThread(use_uvloop=False)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture(name="runners")
def runners_fixture(loop_thread: LoopThread) -> Iterator[list[GranianRunner]]:
    """A list for the test's runners, each stopped after the test."""
    # Depends on loop_thread so that runners stop before their loop does.
    made: list[GranianRunner] = []
    yield made
    for runner in made:
        runner.stop()


@pytest.fixture(name="runner")
def runner_fixture(runners: list[GranianRunner]) -> GranianRunner:
    runners.append(GranianRunner(log_level="warning"))
    return runners[0]


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
