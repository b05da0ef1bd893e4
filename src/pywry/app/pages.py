"""Connected pages and the widget channels that feed them.

A :class:`WidgetChannel` is one widget on this server: its current content, its numbered
frame stream, what each page id last sent us, and its open pages. A :class:`PageSession`
is one open page: it sends the page what follows its cursor, as few WebSocket messages as
possible, from its own writer task, so a slow page never slows the others nor the code
that emits. A page that reads too slowly costs no memory of its own: its cursor falls
behind the widget's bounded stream and it is told to reload (the overflow policy).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import deque
from collections.abc import Awaitable, Mapping
from typing import Any, Protocol

from ..domain.session import InboundLedger, Session, SessionState
from ..domain.stream import FrameStream
from ..domain.widget import Widget
from .frames import ack_frame, batch, control_frame, sequenced

__all__ = ["CLOSE_RESYNC", "PageConnection", "PageSession", "WidgetChannel"]

log = logging.getLogger("pywry.pages")

CLOSE_RESYNC = 4000
ACK_EVERY = 256  # inbound frames handled before an acknowledgement goes out at once
ACK_DELAY = 0.1  # seconds an acknowledgement waits otherwise, so one covers many frames
MAX_DIRECT = 256  # control frames queued for one page; beyond it, error reports are dropped
MAX_BATCH_FRAMES = 4096  # frames in one message, so a far-behind page is served in steps
_OPEN = SessionState.OPEN  # a module constant: reading an enum member off its class is slow


class PageConnection(Protocol):
    """What the HTTP adapter gives the bridge for one page's socket."""

    def send_text(self, text: str) -> Awaitable[None]:
        """Start sending ``text``; the result completes once it is sent (or failed)."""
        ...

    async def close(self, code: int, reason: str) -> None: ...


class WidgetChannel:
    """One widget on this server: content, frame stream, inbound ledger and open pages."""

    def __init__(self, widget: Widget, *, max_frames: int, max_bytes: int, max_pages: int) -> None:
        self.widget = widget
        self.stream = FrameStream(max_frames=max_frames, max_bytes=max_bytes)
        self.inbound = InboundLedger(max_pages=max_pages)
        self.pages: set[PageSession] = set()
        self.ever_connected = False
        self.content_seq = 0  # the frame of the last content update: the page renders it

    def append(self, body: bytes) -> None:
        """Number an encoded event body, keep it, and wake every page."""
        self.stream.append(sequenced(self.stream.next_seq(), body))
        for page in self.pages:
            page.notify()

    def replace_content(self, widget: Widget, update: bytes) -> None:
        """New content: pages read ``update`` (``pywry:update-html``), a new page renders it."""
        self.widget = widget
        self.append(update)
        self.content_seq = self.stream.head

    def render_cursor(self) -> int:
        """Where a page rendered now starts reading.

        Until a first page has connected, what was emitted since the content it renders
        (shown, or last updated) is still waiting for it; after that, a newly loaded page
        starts from now. It never replays the update it renders: scripts would run twice.
        """
        return self.content_seq if not self.ever_connected else self.stream.head


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
        self.label = session.label
        self.channel = channel
        self.conn = conn
        self._batch_bytes = batch_bytes
        self._direct: deque[bytes] = deque()
        self._wake = asyncio.Event()
        self._writer: asyncio.Task[None] | None = None
        # The reader starts the send of what handling a message produced (see ``hold``);
        # these keep it to one send at a time: the writer's, or the reader's in flight.
        self._sending = False
        self._holding = False
        self._held = False
        self._inflight: asyncio.Future[None] | None = None
        self._close_after: tuple[int, str] | None = None
        self._close_head: int | None = None
        # A goodbye (``pywry:closed``, ``pywry:server-stopped``) and the stream position it
        # follows: the page reads it after every event emitted before it, never amid them.
        self._last_words: bytes | None = None
        self._last_after = 0
        self._resynced = False
        # Acknowledgements of inbound frames: the page forgets what we acknowledged.
        self._acked = session.inbound_seq
        self._unacked = 0
        self._ack_owed = False  # an acknowledgement is due: it goes with the next message
        self._ack_timer: asyncio.TimerHandle | None = None
        # Token bucket for inbound frames: a burst of one second's allowance.
        self._rate = float(max_rate)
        self._allowance = float(max_rate)
        self._last = time.monotonic()
        self.said_goodbye = False

    def start(self, hello: Mapping[str, Any] | None = None) -> None:
        """Open; with ``hello``, the first frame the page gets is ``pywry:hello``."""
        self.session.move_to(SessionState.OPEN)
        if hello is not None:
            self._direct.appendleft(control_frame("pywry:hello", dict(hello)))
        self._writer = asyncio.get_running_loop().create_task(
            self._write_loop(), name=f"pywry-writer:{self.label}"
        )
        self.notify()

    def notify(self) -> None:
        if self._holding:
            self._held = True  # the reader starts the send once the message is handled
            return
        self._wake.set()

    def hold(self) -> None:
        """The reader is handling a message: what it produces waits for :meth:`release`.

        The answer to a page's event is then started by the task that read the event, instead
        of waking the writer task for it: one task switch less per round trip.
        """
        self._holding = True

    def release(self) -> None:
        """End :meth:`hold`: start sending what handling the message produced, if anything.

        The reader never waits for the send (a page that does not read its answers must not
        stop us reading what it sends). One message is started; what it leaves queued, and
        anything queued while a send is in flight, is the writer's, which waits for the send
        in flight first, so frames keep their order.
        """
        self._holding = False
        if not self._held:
            return
        self._held = False
        if (
            self._sending
            or self._close_after is not None
            or (self._inflight is not None and not self._settled())
        ):
            self._wake.set()
            return
        message = self._next_message()
        if message is None:
            return
        try:
            sent = self.conn.send_text(message)
            # The server's send is a future already (Granian's is); a coroutine gets a task.
            self._inflight = sent if asyncio.isfuture(sent) else asyncio.ensure_future(sent)
        except Exception:
            # The socket went away under us: the reader learns it from its next receive().
            log.debug("a page of widget %r went away during a send", self.label, exc_info=True)
            return
        # Left for the writer: what did not fit in one message, and a close (the message
        # just taken may have found the page too far behind, which asks for one).
        if (
            self._direct
            or self._close_after is not None
            or self.session.cursor < self.channel.stream.head
        ):
            self._wake.set()

    def _settled(self) -> bool:
        """Whether no send of the reader's is still in flight (and the last one went well)."""
        inflight = self._inflight
        if inflight is None:
            return True
        if not inflight.done():
            return False
        self._inflight = None
        # A failed send means the socket went away: the writer finds out and stops.
        return inflight.cancelled() or inflight.exception() is None

    async def _send_queued(self) -> None:
        # The writer's turn. One message at a time, whichever task started it: the reader's
        # send in flight is awaited before the next message is taken, so frames keep order.
        self._sending = True
        try:
            while True:
                inflight, self._inflight = self._inflight, None
                if inflight is not None:
                    await inflight
                message = self._next_message()
                if message is None:
                    return
                await self.conn.send_text(message)
        finally:
            self._sending = False

    def send_control(self, event_type: str, data: object) -> None:
        """Queue a frame for this page only, ahead of the events waiting for it.

        Error reports beyond :data:`MAX_DIRECT` queued frames are dropped, so a page that
        sends junk and never reads cannot grow the queue.
        """
        if len(self._direct) >= MAX_DIRECT:
            log.debug(
                "dropped %r for a page of widget %r: its queue is full", event_type, self.label
            )
            return
        self._direct.append(control_frame(event_type, data))
        self.notify()

    def say_last(self, event_type: str, data: object) -> None:
        """Queue the page's last frame: it goes after every event emitted so far.

        For the goodbyes before a close: a page must not learn that its widget closed, or
        that the server stopped, before the events emitted ahead of that.
        """
        self._last_words = control_frame(event_type, data)
        self._last_after = self.channel.stream.head
        self.notify()

    def close_after_flush(self, code: int, reason: str) -> None:
        """Send what is queued now (not what is emitted later), then close with ``code``."""
        self._close_after = (code, reason)
        self._close_head = self.channel.stream.head
        if self._unacked:
            self._ack_owed = True  # the last acknowledgement goes out before the close
        self.notify()

    def charge(self, frames: int) -> float:
        """Count ``frames`` inbound frames; seconds the reader should pause (0: none).

        Over the rate, the page is slowed down (its socket is not read for a while), not
        dropped: nothing it sent is lost, and a page that sends too much cannot make the
        server buffer it.
        """
        now = time.monotonic()
        rate = self._rate
        # A full bucket holds one second's burst, no more.
        allowance = min(self._allowance + (now - self._last) * rate, rate)
        self._last = now
        self._allowance = allowance = allowance - frames
        return 0.0 if allowance >= 0 else -allowance / rate

    def handled(self) -> None:
        """One more inbound frame was handled: acknowledge it soon, not at once.

        The page only needs acknowledgements to forget what it keeps for a resend (after a
        reconnect, ``pywry:hello`` tells it what was handled anyway), so one goes per
        :data:`ACK_EVERY` frames or :data:`ACK_DELAY` seconds, not with every answer: a
        page in a round-trip loop then gets its answers as single frames.
        """
        self._unacked += 1
        if self._unacked >= ACK_EVERY:
            self._ack_owed = True
            self.notify()
        elif self._ack_timer is None:
            self._ack_timer = asyncio.get_running_loop().call_later(ACK_DELAY, self._ack_due)

    def _ack_due(self) -> None:
        self._ack_timer = None
        if self._unacked:  # else one went already, after ACK_EVERY frames
            self._ack_owed = True
            self.notify()

    def _next_message(self) -> str | None:
        session = self.session
        if self._resynced or session.state is not _OPEN:
            return None
        stream = self.channel.stream
        head = stream.head
        cursor = session.cursor
        direct = self._direct
        if not direct and not self._ack_owed and self._last_words is None:
            if cursor >= head:
                return None  # nothing to send: the usual answer once a message has gone
            if cursor + 1 == head and self._close_head is None:
                # One new event for a page that keeps up (an answer, most often): the
                # stream's newest frame, which it always holds. No batch to build.
                session.cursor = head
                return stream.newest.decode()
        frames: list[bytes] = []
        size = 0
        while direct and size < self._batch_bytes:
            frame = direct.popleft()
            frames.append(frame)
            size += len(frame)
        if self._ack_owed:
            self._ack_owed = False
            self._unacked = 0
            handled = session.handled
            if handled > self._acked:
                frames.append(ack_frame(handled))
                self._acked = handled
        if not stream.holds_after(cursor):
            frames.extend(self._overflow(cursor))
            return batch(frames)
        limit = MAX_BATCH_FRAMES  # the stream has no more than head - cursor to give anyway
        if self._close_head is not None:
            limit = min(max(0, self._close_head - cursor), MAX_BATCH_FRAMES)
        for frame in stream.after(cursor, limit=limit):
            if frames and size + len(frame) > self._batch_bytes:
                break
            frames.append(frame)
            size += len(frame)
            cursor += 1
        self.session.cursor = cursor
        if self._last_words is not None and cursor >= self._last_after:
            frames.append(self._last_words)
            self._last_words = None
        return batch(frames) if frames else None

    def _overflow(self, cursor: int) -> list[bytes]:
        # The page fell further behind than the shared replay buffer reaches: what it
        # missed is gone, so it is told how much, then reloads to get the current state.
        stream = self.channel.stream
        missed = stream.tail - 1 - cursor
        log.warning(
            "a page of widget %r fell %d frames behind the replay buffer; it will reload",
            self.label,
            missed,
        )
        self._resynced = True
        self._direct.clear()
        self._close_after = (CLOSE_RESYNC, "resync")
        self.session.cursor = stream.head
        return [
            control_frame("pywry:overflow", {"missed": missed, "cursor": cursor}),
            control_frame("pywry:resync", {"reason": "overflow"}),
        ]

    async def _write_loop(self) -> None:
        try:
            while True:
                await self._wake.wait()
                self._wake.clear()
                await self._send_queued()
                if self._close_after is not None:
                    code, reason = self._close_after
                    await self.cut(code, reason)
                    return
        except asyncio.CancelledError:
            raise
        except Exception:
            # The socket went away under us; the reader side detaches the page.
            log.debug("writer of a page of widget %r stopped", self.label, exc_info=True)

    async def cut(self, code: int, reason: str) -> None:
        """Close the socket now, without sending what is queued. Idempotent."""
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
        await self.cut(code, reason)

    def stop(self) -> None:
        """The socket is gone: stop writing. Idempotent."""
        self.session.move_to(SessionState.CLOSED)
        if self._ack_timer is not None:
            self._ack_timer.cancel()
            self._ack_timer = None
        if self._writer is not None and not self._writer.done():
            self._writer.cancel()
