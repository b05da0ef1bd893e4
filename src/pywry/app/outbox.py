"""What one page is sent next: a pure answer to "which message now?", with no loop and no I/O.

A page's next message is, in this order: the frames meant for it alone (its hello, error
reports), an acknowledgement of its own frames if one is due, then the widget's events
after its cursor, as many as fit in one message, and last, once every event emitted
before it went, a goodbye. A close asked for goes once what was queued before it went.
A page whose cursor fell off the shared replay buffer is told how much it missed and to
reload: the overflow policy, which is what keeps a slow page from costing memory.
"""

from __future__ import annotations

import logging
from collections import deque
from typing import NamedTuple, cast

from ..domain.protocol import Close, Control
from ..domain.session import Session
from ..domain.stream import FrameStream
from .frames import BinaryFrame, Frame, Outgoing, ack_frame, batch, binary_message, control_frame

__all__ = ["MAX_BATCH_FRAMES", "MAX_CONTROL", "Outbox"]

log = logging.getLogger("pywry.pages")

MAX_CONTROL = 256  # frames queued for one page alone; beyond it, error reports are dropped
MAX_BATCH_FRAMES = 4096  # frames in one message, so a far-behind page is served in steps


class _Closing(NamedTuple):
    code: int
    reason: str
    head: int  # the last event sent before the close


class Outbox:
    """The queue of one page over its widget's frame stream.

    Args:
        stream: The widget's frame stream, shared by all its pages.
        session: The page's session: its acknowledgements say what it says was handled.
        cursor: The number of the last event this page has (it is sent what follows).
        batch_bytes: Roughly the most bytes one message carries (one frame always goes).
        label: The widget's label, for the log.
    """

    __slots__ = (
        "_ack",
        "_acked",
        "_batch_bytes",
        "_closing",
        "_control",
        "_done",
        "_goodbye",
        "_label",
        "_session",
        "_stream",
        "cursor",
    )

    def __init__(
        self,
        stream: FrameStream[Frame],
        session: Session,
        *,
        cursor: int,
        batch_bytes: int,
        label: str = "",
    ) -> None:
        self._stream = stream
        self._session = session
        self._label = label
        self.cursor = cursor
        self._batch_bytes = batch_bytes
        self._control: deque[bytes] = deque()
        self._ack = False  # an acknowledgement goes with the next message
        self._acked = session.handled
        self._goodbye: tuple[bytes, int] | None = None  # the frame, the event it follows
        self._closing: _Closing | None = None
        self._done = False  # resynchronised: nothing but the close is left

    def hello(self, frame: bytes) -> None:
        """The page's first frame, ahead of anything queued."""
        self._control.appendleft(frame)

    def control(self, frame: bytes) -> bool:
        """Queue a frame for this page alone; ``False`` when its queue is full (dropped)."""
        if len(self._control) >= MAX_CONTROL:
            return False
        self._control.append(frame)
        return True

    def acknowledge(self) -> None:
        """Tell the page, with its next message, which of its frames were handled by then."""
        self._ack = True

    def say_last(self, frame: bytes) -> None:
        """The page's last frame, after every event emitted so far (never amid them)."""
        self._goodbye = (frame, self._stream.head)

    def close_after(self, code: int, reason: str) -> None:
        """Close once what is queued now is sent (events emitted later are not)."""
        self._closing = _Closing(code, reason, self._stream.head)

    @property
    def empty(self) -> bool:
        """Whether :meth:`next_message` has nothing to give (a close may still be due)."""
        if self._done:
            return True
        until = self._stream.head if self._closing is None else self._closing.head
        return not (self._control or self._ack or self._goodbye or self.cursor < until)

    def close_due(self) -> tuple[int, str] | None:
        """The close asked for, once :meth:`next_message` has nothing more before it."""
        closing = self._closing
        return None if closing is None else (closing.code, closing.reason)

    def next_message(self) -> str | Outgoing | None:
        """The next message for the page, or ``None`` when there is nothing to send."""
        if self._done:
            return None
        frames: list[Frame] = []
        binary = False
        size = 0
        control = self._control
        while control and size < self._batch_bytes:
            frame = control.popleft()
            frames.append(frame)
            size += len(frame)
        if self._ack:
            self._ack = False
            handled = self._session.handled
            if handled > self._acked:
                frames.append(ack_frame(handled))
                self._acked = handled
        if not self._stream.holds_after(self.cursor):
            frames.extend(self._overflow())
            return batch(cast("list[bytes]", frames))
        cursor = self.cursor
        limit = MAX_BATCH_FRAMES
        if self._closing is not None:
            limit = min(max(0, self._closing.head - cursor), MAX_BATCH_FRAMES)
        for event in self._stream.after(cursor, limit=limit):
            if frames and size + len(event) > self._batch_bytes:
                break
            if isinstance(event, BinaryFrame):
                binary = True
            frames.append(event)
            size += len(event)
            cursor += 1
        self.cursor = cursor
        goodbye = self._goodbye  # a control frame: bytes
        if goodbye is not None and cursor >= goodbye[1]:
            frames.append(goodbye[0])
            self._goodbye = None
        if binary:
            return binary_message(frames)
        return batch(cast("list[bytes]", frames)) if frames else None

    def _overflow(self) -> list[bytes]:
        stream = self._stream
        missed = stream.tail - 1 - self.cursor
        log.warning(
            "a page of widget %r fell %d frames behind the replay buffer; it will reload",
            self._label,
            missed,
        )
        frames = [
            control_frame(Control.OVERFLOW, {"missed": missed, "cursor": self.cursor}),
            control_frame(Control.RESYNC, {"reason": "overflow"}),
        ]
        self._done = True
        self._control.clear()
        self._closing = _Closing(Close.RESYNC, "resync", stream.head)
        self.cursor = stream.head
        return frames
