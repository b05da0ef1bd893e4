"""The one way from the script's threads to the hub: commands, in order, one wake-up a burst.

A script emits from its own thread, callbacks emit from worker threads or from the loop,
and each thread's emits must reach the pages in the order they were made, together with
the content updates and closes made between them. So everything the script's side asks of
the hub is a command put in one queue, and one task on the loop carries them out in order.

Putting a command never waits: an emit is encoded in the caller's thread, appended, and
the loop is woken once per burst (only when no wake-up is pending), not once per event.
The wake-up calls the hub's consumer on the loop.
"""

from __future__ import annotations

import concurrent.futures
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from ..domain.ports import Body, EventLoop
from ..domain.widget import Widget

__all__ = ["Close", "Command", "Drop", "Emit", "Inbox", "Register", "Shutdown"]

Done = concurrent.futures.Future[Any]


@dataclass(slots=True)
class Emit:
    """Send an encoded event to a widget's pages (``label`` None: every widget's)."""

    label: str | None
    body: Body  # bytes, or a BinaryBody (app/binary_frames.py)


@dataclass(slots=True)
class Register:
    """Show ``widget``: a new label, or new content for one (its pages update in place).

    ``shown``: by a ``show()``, so a page is expected again even if its pages went.
    """

    widget: Widget
    shown: bool = False
    done: Done | None = None


@dataclass(slots=True)
class Close:
    """Forget a widget: its pages are told and closed, its URL answers 404."""

    label: str
    done: Done | None = None


@dataclass(slots=True)
class Drop:
    """Close pages' sockets unannounced (a network blip on demand): they come back."""

    label: str | None
    code: int
    done: Done | None = None


@dataclass(slots=True)
class Shutdown:
    """The server stops: every page is told, after what was queued before."""

    done: Done


Command = Emit | Register | Close | Drop | Shutdown


class Inbox:
    """Commands for the hub, from any thread, taken in order on the loop."""

    def __init__(self, loop: EventLoop) -> None:
        self._loop = loop
        self._items: deque[Command] = deque()
        self._wake_pending = False
        self._consumer: Callable[[], None] | None = None

    def put(self, command: Command) -> None:
        """Queue ``command``; never waits (wakes the loop unless a wake-up is pending)."""
        self._items.append(command)
        if not self._wake_pending:
            self._wake_pending = True
            try:
                self._loop.call_soon(self._wake)
            except BaseException:
                self._wake_pending = False  # the next put tries (and fails) again, loudly
                raise

    @property
    def pending(self) -> bool:
        """Whether commands wait to be taken."""
        return bool(self._items)

    def open(self, consumer: Callable[[], None]) -> None:
        """Call ``consumer`` on the loop whenever something was put (from now on)."""
        self._consumer = consumer

    def take(self, while_: Callable[[Command], bool] | None = None) -> Iterator[Command]:
        """The commands queued until now, in order (on the loop); with ``while_``, only
        those at the front for which it holds.

        Only those queued until now: what is put meanwhile waits for the next step of the
        loop, so a burst of emits never keeps the loop from the sockets for longer than a step.
        """
        # Cleared before taking: a put from now on wakes the loop again for the next step.
        self._wake_pending = False
        items = self._items
        for _ in range(len(items)):
            if while_ is not None and not while_(items[0]):
                return
            yield items.popleft()

    def discard(self) -> list[Command]:
        """Take every queued command without running it (the app stops)."""
        left = list(self._items)
        self._items.clear()
        return left

    def _wake(self) -> None:
        if self._consumer is not None:
            self._consumer()
