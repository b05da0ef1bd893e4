"""Sessions: one connected page of a widget, with an explicit lifecycle.

A page keeps its identity (its page id) across reconnects, but every reconnect makes a new
:class:`Session`. What must survive the reconnect, the number of the last frame the page
sent us that was handled, lives in the inbound ledger (a port; :class:`HandledFrames` is
its bounded record per widget), so a frame the page sends again after a reconnect (it
never heard that we had it) is not handled twice.
"""

from __future__ import annotations

import enum
from collections import OrderedDict
from dataclasses import dataclass, field

from .errors import IllegalTransitionError
from .protocol import ANONYMOUS_PAGE

__all__ = ["HandledFrames", "Session", "SessionState"]


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


class HandledFrames:
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

    def accept(self, page_id: str, seq: int) -> bool:
        """Whether frame ``seq`` of ``page_id`` is new; records it if so."""
        if seq <= self.last(page_id):
            return False
        self._last[page_id] = seq
        return True

    def _forget_oldest(self) -> None:
        while len(self._last) > self._max_pages:
            self._last.popitem(last=False)


@dataclass(slots=True, eq=False)
class Session:
    """One page connected to one widget.

    ``handled`` is the last frame number the page sent us that was handled: across every
    connection the page made when it gave its id (the inbound ledger says where it stood
    at connect), within this connection for an anonymous page, which cannot resume.
    """

    label: str
    page_id: str
    handled: int = 0
    state: SessionState = field(default=SessionState.CONNECTING)

    @property
    def resumable(self) -> bool:
        """Whether the page gave its id, so a reconnect of it picks up where it left off."""
        return self.page_id != ANONYMOUS_PAGE

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
