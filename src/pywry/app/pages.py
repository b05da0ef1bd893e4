"""Connected pages and the widget channels that feed them.

A :class:`WidgetChannel` is one widget on this server: its current content, its numbered
frame stream and its open pages. A :class:`PageSession` is one open page: it sends the
page what follows its cursor, as few WebSocket messages as possible, from its own writer
task, so a slow page never slows the others nor the code that emits.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from typing import Protocol

from ..domain.session import Session, SessionState
from ..domain.stream import FrameStream
from ..domain.widget import Widget
from .frames import batch, control_frame, sequenced

__all__ = ["PageConnection", "PageSession", "WidgetChannel"]

log = logging.getLogger("pywry.pages")


class PageConnection(Protocol):
    """What the HTTP adapter gives the bridge for one page's socket."""

    async def send_text(self, text: str) -> None: ...

    async def close(self, code: int, reason: str) -> None: ...


class WidgetChannel:
    """One widget on this server: content, frame stream and open pages."""

    def __init__(self, widget: Widget, *, max_frames: int, max_bytes: int) -> None:
        self.widget = widget
        self.stream = FrameStream(max_frames=max_frames, max_bytes=max_bytes)
        self.pages: set[PageSession] = set()
        self.ever_connected = False

    def append(self, body: bytes) -> None:
        """Number an encoded event body, keep it, and wake every page."""
        self.stream.append(sequenced(self.stream.next_seq(), body))
        for page in self.pages:
            page.notify()

    def render_cursor(self) -> int:
        """Where a page rendered now starts reading.

        Until a first page has connected, everything emitted since the widget was shown is
        still waiting for it; after that, a newly loaded page starts from now.
        """
        return 0 if not self.ever_connected else self.stream.head


class PageSession:
    """One open page: its session state, its socket and its writer task."""

    def __init__(
        self,
        *,
        session: Session,
        channel: WidgetChannel,
        conn: PageConnection,
        batch_bytes: int,
        max_rate: int,
    ) -> None:
        self.session = session
        self.channel = channel
        self.conn = conn
        self._batch_bytes = batch_bytes
        self._direct: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        self._close_after: tuple[int, str] | None = None
        # Token bucket for inbound frames: a burst of one second's allowance.
        self._rate = float(max_rate)
        self._allowance = float(max_rate)
        self._last = time.monotonic()
        self.said_goodbye = False

    @property
    def label(self) -> str:
        return self.session.label

    def start(self) -> None:
        self.session.move_to(SessionState.OPEN)
        self._writer = asyncio.get_running_loop().create_task(self._write_loop())
        self.notify()

    def notify(self) -> None:
        self._wake.set()

    def send_control(self, event_type: str, data: object) -> None:
        """Queue a frame for this page only."""
        self._direct.append(control_frame(event_type, data))
        self.notify()

    def close_after_flush(self, code: int, reason: str) -> None:
        """Send what is queued, then close the socket with ``code``."""
        self._close_after = (code, reason)
        self.notify()

    def allow_inbound(self) -> bool:
        """Whether one more inbound frame fits the rate limit."""
        now = time.monotonic()
        self._allowance = min(self._rate, self._allowance + (now - self._last) * self._rate)
        self._last = now
        if self._allowance < 1.0:
            return False
        self._allowance -= 1.0
        return True

    def _next_message(self) -> str | None:
        stream = self.channel.stream
        frames: list[bytes] = []
        size = 0
        while self._direct and size < self._batch_bytes:
            frame = self._direct.popleft()
            frames.append(frame)
            size += len(frame)
        cursor = self.session.cursor
        if not stream.holds_after(cursor):
            # The page fell further behind than the replay buffer reaches: it must reload.
            log.warning("page of widget %r fell behind the replay buffer; resyncing", self.label)
            frames.append(control_frame("pywry:resync", {"reason": "overflow"}))
            self._direct.clear()
            self._close_after = (4000, "resync")
            self.session.cursor = stream.head
            return batch(frames)
        for frame in stream.after(cursor):
            if frames and size + len(frame) > self._batch_bytes:
                break
            frames.append(frame)
            size += len(frame)
            cursor += 1
        self.session.cursor = cursor
        return batch(frames) if frames else None

    async def _write_loop(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                while (message := self._next_message()) is not None:
                    await self.conn.send_text(message)
                if self._close_after is not None:
                    code, reason = self._close_after
                    await self._close_socket(code, reason)
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away under us; the reader side detaches the page.
            log.debug("writer of a page of widget %r stopped", self.label, exc_info=True)

    async def _close_socket(self, code: int, reason: str) -> None:
        if self.session.state in (SessionState.CLOSING, SessionState.CLOSED):
            return
        self.session.move_to(SessionState.CLOSING)
        with contextlib.suppress(Exception):
            await self.conn.close(code, reason)

    async def flush_and_close(self, code: int, reason: str, *, timeout: float = 2.0) -> None:
        """Deliver what is queued (bounded by ``timeout``), then close."""
        self.close_after_flush(code, reason)
        if self._writer is not None and not self._writer.done():
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(asyncio.shield(self._writer), timeout)
        await self._close_socket(code, reason)

    def stop(self) -> None:
        """The socket is gone: stop writing. Idempotent."""
        self.session.move_to(SessionState.CLOSED)
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
