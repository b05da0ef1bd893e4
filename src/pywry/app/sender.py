"""Sending one page its outbox: one message at a time, on the loop, with no task of its own.

When something is queued for a page whose sender is idle, it goes at once. While a send is
in flight, whatever is queued waits and goes together as the next message, once that send
is done: a burst travels in few messages, a page that reads slowly slows down its own sends
and nobody else's, and what piles up for it waits in the widget's shared stream, not in a
buffer of its own. Nothing here awaits: the server's ``send`` starts at once and returns a
future (a coroutine gets a task). The sender waits for that future only when it has more to
send; otherwise the next wake-up finds it done, as it almost always is by then.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from typing import Any

from ..domain.ports import PageConnection
from .frames import Outgoing
from .outbox import Outbox

__all__ = ["SendState", "Sender"]

log = logging.getLogger("pywry.pages")


class SendState(enum.Enum):
    NEW = "new"  # the page is not admitted yet: nothing is sent
    IDLE = "idle"  # what is queued goes at once
    SENDING = "sending"  # more to send, waiting for the message in flight
    CLOSED = "closed"  # the socket was asked to close, or failed: nothing more is sent


class Sender:
    """Sends ``outbox`` over ``conn``; ``close_due(code, reason)`` when the outbox says so."""

    __slots__ = ("_close_due", "_closed", "_conn", "_inflight", "_label", "_outbox", "state")

    def __init__(
        self,
        conn: PageConnection,
        outbox: Outbox,
        *,
        close_due: Callable[[int, str], None],
        label: str = "",
    ) -> None:
        self._conn = conn
        self._outbox = outbox
        self._close_due = close_due
        self._label = label
        self._closed: asyncio.Future[None] | None = None
        self._inflight: asyncio.Future[Any] | None = None  # the last send started
        self.state = SendState.NEW

    def start(self) -> None:
        """The page is admitted: send what is queued. Call on the loop."""
        if self.state is SendState.NEW:
            self.state = SendState.IDLE
            self.wake()

    def wake(self) -> None:
        """Something was queued: send it now, or with the next message if one is in flight."""
        if self.state is SendState.IDLE:
            self._send_next()

    def close(self, code: int, reason: str) -> None:
        """Ask the socket to close now, without sending what is queued. Idempotent."""
        if self.state is SendState.CLOSED:
            return
        self._end()
        try:
            self._conn.close(code, reason)
        except Exception:
            log.debug("a page of widget %r could not be closed", self._label, exc_info=True)

    def stop(self) -> None:
        """The socket is gone: send nothing more. Idempotent."""
        if self.state is not SendState.CLOSED:
            self._end()

    async def wait_closed(self, timeout: float) -> bool:
        """Wait until nothing more will be sent (within ``timeout``); whether that happened."""
        if self.state is SendState.CLOSED:
            return True
        if self._closed is None:
            self._closed = asyncio.get_running_loop().create_future()
        try:
            await asyncio.wait_for(asyncio.shield(self._closed), timeout)
        except TimeoutError:
            return False
        return True

    def _send_next(self) -> None:
        inflight = self._inflight
        if inflight is not None:
            if not inflight.done():
                self._wait_for(inflight)
                return
            self._inflight = None
            if inflight.cancelled() or inflight.exception() is not None:
                self._failed()
                return
        message = self._outbox.next_message()
        if message is None:
            self.state = SendState.IDLE
            closing = self._outbox.close_due()
            if closing is not None:
                self._close_due(*closing)
            return
        try:
            if type(message) is str:
                sent: Any = self._conn.send_text(message)
            else:
                sent = self._send_pieces(message)  # type: ignore[arg-type]  # an Outgoing
            self._inflight = sent if asyncio.isfuture(sent) else asyncio.ensure_future(sent)
        except Exception:
            self._failed()
            return
        if self._outbox.empty and self._outbox.close_due() is None:
            self.state = SendState.IDLE  # the next wake-up checks the send in flight
        else:
            self._wait_for(self._inflight)

    async def _send_pieces(self, message: Outgoing) -> None:
        # One after the other, each when the last is sent: the page reads them in order, and
        # one that reads slowly holds up only its own sends, with nothing copied per page.
        conn = self._conn
        await conn.send_text(message.text)
        for piece in message.pieces:
            await conn.send_bytes(piece)

    def _wait_for(self, inflight: asyncio.Future[Any]) -> None:
        self.state = SendState.SENDING
        inflight.add_done_callback(self._sent)

    def _sent(self, future: asyncio.Future[Any]) -> None:
        if self.state is SendState.SENDING:
            self._send_next()

    def _failed(self) -> None:
        # The socket went away under us; its reader learns it from its next receive().
        log.debug("a send to a page of widget %r failed; the page is gone", self._label)
        self._end()

    def _end(self) -> None:
        self.state = SendState.CLOSED
        inflight, self._inflight = self._inflight, None
        if inflight is not None:  # its failure, if any, is the socket's end: nothing to say
            if inflight.done():
                _seen(inflight)
            else:
                inflight.add_done_callback(_seen)
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)


def _seen(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
