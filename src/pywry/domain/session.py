"""Sessions: one connected page of a widget, with an explicit lifecycle."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .errors import IllegalTransitionError

__all__ = ["Session", "SessionState"]


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


@dataclass(slots=True, eq=False)
class Session:
    """One page connected to one widget.

    ``cursor`` is the sequence number of the last outbound frame this page has been sent;
    the widget's frame stream holds what comes after it. ``inbound_seq`` is the last
    frame number the page sent us that was handled, so a page that resends after a
    reconnect is not handled twice.
    """

    label: str
    page_id: str
    cursor: int = 0
    inbound_seq: int = 0
    state: SessionState = field(default=SessionState.CONNECTING)

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
    def is_open(self) -> bool:
        return self.state is SessionState.OPEN

    def accept_inbound(self, seq: int | None) -> bool:
        """Whether an inbound frame numbered ``seq`` is new (and record it if so).

        Frames without a number (older pages, hand-written clients) are always new.
        """
        if seq is None:
            return True
        if seq <= self.inbound_seq:
            return False
        self.inbound_seq = seq
        return True
