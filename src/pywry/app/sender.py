"""Sending one page its outbox: one message at a time, on the loop, with no task of its own.

When something is queued for a page, its sender asks the loop to send once the current
step is over, so whatever the same step queued (a burst of emits, an answer and its
acknowledgement) goes as one message. It then starts the next send only when the one in
flight is done: a page that reads slowly slows down its own sends, nobody else's, and
what piles up for it waits in the widget's shared stream, not in a buffer of its own.
Nothing here awaits: the server's ``send`` starts at once and returns a future (a
coroutine gets a task), and its completion schedules the next step.
"""

from __future__ import annotations

import asyncio
import enum
import logging
from collections.abc import Callable
from typing import Any

from ..domain.ports import PageConnection
from .outbox import Outbox

__all__ = ["SendState", "Sender"]

log = logging.getLogger("pywry.pages")


class SendState(enum.Enum):
    NEW = "new"  # the page is not admitted yet: nothing is sent
    IDLE = "idle"  # nothing to send
    SCHEDULED = "scheduled"  # a send step is due on the loop
    SENDING = "sending"  # one message in flight: the next waits for it
    CLOSED = "closed"  # the socket was asked to close, or failed: nothing more is sent


class Sender:
    """Sends ``outbox`` over ``conn``; ``close_due(code, reason)`` when the outbox says so."""

    __slots__ = ("_close_due", "_closed", "_conn", "_label", "_loop", "_outbox", "state")

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
        self._loop: asyncio.AbstractEventLoop | None = None
        self._closed: asyncio.Future[None] | None = None
        self.state = SendState.NEW

    def start(self) -> None:
        """The page is admitted: send what is queued. Call on the loop."""
        if self.state is SendState.NEW:
            self._loop = asyncio.get_running_loop()
            self.state = SendState.IDLE
            self.wake()

    def wake(self) -> None:
        """Something was queued: send it once the current loop step is over."""
        if self.state is SendState.IDLE:
            self.state = SendState.SCHEDULED
            assert self._loop is not None
            self._loop.call_soon(self._step)

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

    def _step(self) -> None:
        if self.state is not SendState.SCHEDULED:
            return
        message = self._outbox.next_message()
        if message is None:
            closing = self._outbox.close_due()
            self.state = SendState.IDLE
            if closing is not None:
                self._close_due(*closing)
            return
        try:
            sent: Any = self._conn.send_text(message)
            future = sent if asyncio.isfuture(sent) else asyncio.ensure_future(sent)
        except Exception:
            self._failed()
            return
        self.state = SendState.SENDING
        future.add_done_callback(self._sent)

    def _sent(self, future: asyncio.Future[Any]) -> None:
        failed = future.cancelled() or future.exception() is not None
        if self.state is not SendState.SENDING:
            return  # closed meanwhile
        if failed:
            self._failed()
            return
        self.state = SendState.SCHEDULED
        self._step()

    def _failed(self) -> None:
        # The socket went away under us; its reader learns it from its next receive().
        log.debug("a send to a page of widget %r failed; the page is gone", self._label)
        self._end()

    def _end(self) -> None:
        self.state = SendState.CLOSED
        if self._closed is not None and not self._closed.done():
            self._closed.set_result(None)
