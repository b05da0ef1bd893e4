"""Connected pages.

A :class:`PageSession` is one open page of a widget's channel: who it is
(:class:`Session`), what it is sent next (:class:`Outbox`), how (:class:`Sender`), and the
pacing of what it sends us. A page that reads too slowly costs no memory of its own: its
cursor falls behind the widget's bounded stream and it is told to reload.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ..domain.ports import PageConnection
from ..domain.protocol import Control
from ..domain.session import Session, SessionState
from .frames import control_frame
from .outbox import Outbox
from .pacing import ACK_DELAY, AckSchedule, TokenBucket
from .sender import Sender

if TYPE_CHECKING:
    from .binary import Incoming
    from .channels import WidgetChannel
    from .frames import InboundItem

__all__ = ["PageSession"]

log = logging.getLogger("pywry.pages")


class PageSession:
    """One open page of a widget."""

    def __init__(
        self,
        *,
        session: Session,
        channel: WidgetChannel,
        conn: PageConnection,
        cursor: int,
        batch_bytes: int,
        max_rate: int,
    ) -> None:
        self.session = session
        self.label = session.label
        self.channel = channel
        self.outbox = Outbox(
            channel.stream, session, cursor=cursor, batch_bytes=batch_bytes, label=self.label
        )
        self._sender = Sender(conn, self.outbox, close_due=self.cut, label=self.label)
        self._acks = AckSchedule()
        self._ack_timer: asyncio.TimerHandle | None = None
        self._pace = TokenBucket(max_rate, now=time.monotonic())
        self._said_goodbye = False
        # Frames the page sent whose binary values are still on their way (see Inbound).
        self.incoming: tuple[list[InboundItem], Incoming] | None = None

    @property
    def page_id(self) -> str:
        return self.session.page_id

    def start(self, hello: Mapping[str, Any] | None = None) -> None:
        """Open; with ``hello``, the first frame the page gets is ``pywry:hello``."""
        self.session.move_to(SessionState.OPEN)
        if hello is not None:
            self.outbox.hello(control_frame(Control.HELLO, dict(hello)))
        self._sender.start()

    def notify(self) -> None:
        """Something was queued for the page (an event of its widget, a frame of its own)."""
        self._sender.wake()

    def send_control(self, event_type: str, data: object) -> None:
        """Queue a frame for this page only, ahead of the events waiting for it.

        Error reports beyond the outbox's bound are dropped, so a page that sends junk and
        never reads cannot grow the queue.
        """
        if self.outbox.control(control_frame(event_type, data)):
            self.notify()
        else:
            log.debug(
                "dropped %r for a page of widget %r: its queue is full", event_type, self.label
            )

    def say_last(self, event_type: str, data: object) -> None:
        """Queue the page's goodbye: it goes after every event emitted so far."""
        self.outbox.say_last(control_frame(event_type, data))
        self.notify()

    def say_goodbye(self) -> bool:
        """Record that the page said goodbye; whether it is the first time (its callback runs)."""
        first = not self._said_goodbye
        self._said_goodbye = True
        return first

    def close_after_flush(self, code: int, reason: str) -> None:
        """Send what is queued now (not what is emitted later), then close with ``code``."""
        if self._acks.pending:
            self._acknowledge()  # the last acknowledgement goes out before the close
        self.outbox.close_after(code, reason)
        self.notify()

    async def flush_and_close(self, code: int, reason: str, *, timeout: float = 2.0) -> None:
        """Deliver what is queued (bounded by ``timeout``), then close."""
        self.close_after_flush(code, reason)
        await self._sender.wait_closed(timeout)
        self.cut(code, reason)

    def cut(self, code: int, reason: str) -> None:
        """Close the socket now, without sending what is queued. Idempotent."""
        if self.session.state in (SessionState.CLOSING, SessionState.CLOSED):
            return
        self.session.move_to(SessionState.CLOSING)
        self._sender.close(code, reason)

    def mark_handled(self, seq: int) -> None:
        """The page's frame ``seq`` was handled: acknowledge it soon, not at once."""
        self.session.handled = seq
        if self._acks.handled():
            self._acknowledge()
        elif self._ack_timer is None:
            self._ack_timer = asyncio.get_running_loop().call_later(ACK_DELAY, self._acknowledge)

    def charge(self, frames: int) -> float:
        """Count ``frames`` inbound frames; seconds the reader should pause (0: none)."""
        return self._pace.charge(frames, time.monotonic())

    def stop(self) -> None:
        """The socket is gone: stop writing. Idempotent."""
        self.session.move_to(SessionState.CLOSED)
        if self._ack_timer is not None:
            self._ack_timer.cancel()
            self._ack_timer = None
        self._sender.stop()

    def _acknowledge(self) -> None:
        if self._ack_timer is not None:
            self._ack_timer.cancel()
            self._ack_timer = None
        if self._acks.pending:
            self._acks.sent()
            self.outbox.acknowledge()
            self.notify()
