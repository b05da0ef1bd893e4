"""A page's socket that only records: what the app sent it, and how it was closed.

Hand it to the page port's ``attach`` in place of a real socket. It can be frozen to play a
page that stopped reading: its sends then wait until :meth:`RecordingConnection.thaw`.
Every method that waits is for the test's own thread; the app calls it on its loop.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable
from typing import Any

from ..domain.ports import PageConnection
from .wire import MessageReader

__all__ = ["RecordingConnection"]


class RecordingConnection(PageConnection):
    """Records each message (as its list of frames) and the close; can hold sends."""

    def __init__(self, *, frozen: bool = False) -> None:
        self._wire = MessageReader()  # frames with binary values are recorded once whole
        self.messages: list[list[dict[str, Any]]] = []
        self.close_code: int | None = None
        self.closed_after: int | None = None  # messages received before the close
        self.most_at_once = 0  # sends in flight at the same time, at most
        self._sending = 0
        self._cond = threading.Condition()
        self._open = threading.Event()
        self.holding = threading.Event()  # a send waits for thaw()
        if not frozen:
            self._open.set()

    # ------------------------------------------------------------ the app's side
    def send_text(self, text: str) -> Awaitable[None]:
        return asyncio.get_running_loop().create_task(self._send(text))

    def send_bytes(self, data: bytes | memoryview) -> Awaitable[None]:
        return asyncio.get_running_loop().create_task(self._send(bytes(data)))

    def close(self, code: int, reason: str) -> None:
        with self._cond:
            if self.close_code is None:
                self.close_code = code
                self.closed_after = len(self.messages)
            self._cond.notify_all()

    async def _send(self, text: str | bytes) -> None:
        self._sending += 1
        self.most_at_once = max(self.most_at_once, self._sending)
        try:
            if not self._open.is_set():
                self.holding.set()
                await asyncio.to_thread(self._open.wait)
            frames = self._wire.text(text) if isinstance(text, str) else self._wire.piece(text)
            if not frames:
                return  # binary values still on their way
            with self._cond:
                self.messages.append(frames)
                self._cond.notify_all()
        finally:
            self._sending -= 1

    # ------------------------------------------------------------ the test's side
    def freeze(self) -> None:
        """Hold every send from now on (a page that stopped reading)."""
        self._open.clear()

    def thaw(self) -> None:
        """Let held sends through."""
        self._open.set()

    @property
    def frames(self) -> list[dict[str, Any]]:
        with self._cond:
            return [frame for message in self.messages for frame in message]

    def types(self) -> list[str]:
        return [str(frame.get("type")) for frame in self.frames]

    def data(self, event_type: str) -> list[Any]:
        """The data of every frame of ``event_type`` received so far, in order."""
        return [f.get("data") for f in self.frames if f.get("type") == event_type]

    def wait(self, predicate: Callable[[RecordingConnection], bool], timeout: float = 5.0) -> None:
        """Wait until ``predicate(self)`` holds; ``AssertionError`` naming the last frames."""
        with self._cond:
            if not self._cond.wait_for(lambda: predicate(self), timeout):
                last = [f.get("type") for m in self.messages[-3:] for f in m]
                raise AssertionError(f"not within {timeout} s; the last frames: {last}")

    def wait_for(self, event_type: str, *, count: int = 1, timeout: float = 5.0) -> Any:
        """Wait for ``count`` frames of ``event_type``; the data of the last of them."""
        self.wait(lambda c: len(c.data(event_type)) >= count, timeout)
        return self.data(event_type)[count - 1]

    def wait_closed(self, timeout: float = 5.0) -> int:
        """Wait until the app asked to close the socket; the close code."""
        self.wait(lambda c: c.close_code is not None, timeout)
        assert self.close_code is not None
        return self.close_code
