"""Sessions: one connected page of a widget, with an explicit lifecycle.

A page keeps its identity (its page id) across reconnects, but every reconnect makes a new
:class:`Session`. What must survive the reconnect, the number of the last frame the page
sent us that was handled, lives in the widget's :class:`InboundLedger`, so a frame the page
sends again after a reconnect (it never heard that we had it) is not handled twice.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field

from .errors import IllegalTransitionError

__all__ = ["ANONYMOUS_PAGE", "InboundLedger", "Session", "SessionState"]

ANONYMOUS_PAGE = "anonymous"  # a client that gave no page id: nothing to resume


class SessionState(enum.Enum):
    """Where a page's connection is in its life."""

    CONNECTING = "connecting"
    OPEN = "open"
    CLOSING = "closing"
    CLOSED = "closed"


_NEXT: dict[SessionState, frozenset[SessionState]] = {
    SessionState.CONNECTING: frozenset(
        {SessionState.OPEN, SessionState.CLOSING, SessionState.CLOSED}
    ),
    SessionState.OPEN: frozenset({SessionState.CLOSING, SessionState.CLOSED}),
    SessionState.CLOSING: frozenset({SessionState.CLOSED}),
    SessionState.CLOSED: frozenset(),
}


class InboundLedger:
    """Per widget: the last inbound frame number handled for each page id, bounded.

    The least recently active page ids are forgotten first once ``max_pages`` are known;
    a forgotten page that reconnects is told it is unknown (``0``) and may resend frames
    that were already handled, so the bound should be well above the number of pages
    that can be open at once.
    """

    __slots__ = ("_last", "_max_pages")

    def __init__(self, *, max_pages: int) -> None:
        if max_pages < 1:
            raise ValueError("an inbound ledger must remember at least one page")
        self._last: OrderedDict[str, int] = OrderedDict()
        self._max_pages = max_pages

    def __len__(self) -> int:
        return len(self._last)

    def knows(self, page_id: str) -> bool:
        return page_id in self._last

    def last(self, page_id: str) -> int:
        """The last frame number handled for ``page_id`` (0 if none); marks it active."""
        value = self._last.get(page_id)
        if value is None:
            value = self._last[page_id] = 0
            self._forget_oldest()
        else:
            self._last.move_to_end(page_id)
        return value

    def handled(self, page_id: str) -> int:
        """The last frame number handled for ``page_id`` (0 if none), without marking it."""
        return self._last.get(page_id, 0)

    def accept(self, page_id: str, seq: int) -> bool:
        """Whether frame ``seq`` of ``page_id`` is new; records it if so."""
        last = self._last.get(page_id)
        if last is None:
            last = self.last(page_id)
        else:
            self._last.move_to_end(page_id)
        if seq <= last:
            return False
        self._last[page_id] = seq
        return True

    def _forget_oldest(self) -> None:
        while len(self._last) > self._max_pages:
            self._last.popitem(last=False)


@dataclass(slots=True, eq=False)
class Session:
    """One page connected to one widget.

    ``cursor`` is the sequence number of the last outbound frame this page has been sent;
    the widget's frame stream holds what comes after it. ``inbound_seq`` is the last
    frame number the page sent us that was handled. With a ``ledger`` (a page that gave
    its id) the number is shared by every connection the page ever makes, so a frame it
    resends after a reconnect is not handled twice; without one it covers this connection.
    """

    label: str
    page_id: str
    cursor: int = 0
    inbound_seq: int = 0
    state: SessionState = field(default=SessionState.CONNECTING)
    ledger: InboundLedger | None = None

    def __post_init__(self) -> None:
        if self.ledger is not None:
            self.inbound_seq = self.ledger.last(self.page_id)

    def move_to(self, target: SessionState) -> None:
        """Move to ``target``; raises :class:`IllegalTransitionError` if the move is illegal."""
        if target is self.state:
            # Idempotent: closing a closed session is not an error.
            return
        if target not in _NEXT[self.state]:
            raise IllegalTransitionError(
                f"session of widget {self.label!r} cannot go from {self.state.value} "
                f"to {target.value}"
            )
        self.state = target

    @property
    def handled(self) -> int:
        """The last inbound frame number handled for this page (across reconnects)."""
        if self.ledger is not None:
            return self.ledger.handled(self.page_id)
        return self.inbound_seq

    def accept_inbound(self, seq: int | None) -> bool:
        """Whether an inbound frame numbered ``seq`` is new (and record it if so).

        Frames without a number (older pages, hand-written clients) are always new.
        """
        if seq is None:
            return True
        if self.ledger is not None:
            if not self.ledger.accept(self.page_id, seq):
                return False
        elif seq <= self.inbound_seq:
            return False
        self.inbound_seq = seq
        return True
