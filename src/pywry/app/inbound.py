"""What pages send: decoded, checked, handled once, and handed to the callbacks.

A message holds one frame or a batch. Each frame is checked in this order: a frame the
page resent after a reconnect and that was already handled is dropped silently; a bad
event name, or a name in pywry's own namespace that pages may not send, gets an in-band
``pywry:error`` for that page only; anything else becomes an :class:`Event` for the
callbacks. Nothing here ever closes the connection: a page that sent one bad frame keeps
working.
"""

from __future__ import annotations

from collections.abc import Callable

from ..domain.events import REMEMBERED_NAMES, Event, check_event_name
from .frames import InboundItem, ProtocolError, decode_inbound
from .pages import PageSession

__all__ = ["PAGE_EVENTS", "Inbound"]

# Events a page may send in pywry's own namespace; any other pywry:* from a page is refused.
PAGE_EVENTS = frozenset(
    {"pywry:ready", "pywry:disconnect", "pywry:result", "pywry:message", "pywry:error"}
)


class Inbound:
    """Turns a page's messages into events for ``dispatch``."""

    def __init__(self, *, dispatch: Callable[[Event], object]) -> None:
        self._dispatch = dispatch
        self._accepted: set[str] = set()  # names that passed both checks below

    def receive(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message from ``page``; bad frames get an in-band error, nothing else.

        Returns how many seconds the page's reader should wait before reading on (the
        inbound rate limit slows a page down rather than dropping what it sent).
        """
        try:
            items = decode_inbound(raw)
        except ProtocolError as exc:
            page.send_control("pywry:error", {"error": "bad-frame", "message": str(exc)})
            return page.charge(1)
        for item in items:
            self._item(page, item)
        return page.charge(len(items))

    def _item(self, page: PageSession, item: InboundItem) -> None:
        # Duplicates first: a frame resent after a reconnect was handled (or refused) once.
        if not page.session.accept_inbound(item.seq):
            return
        if item.seq is not None:
            page.handled()
        name = item.type
        if name not in self._accepted:
            try:
                check_event_name(name)
            except ValueError as exc:
                page.send_control("pywry:error", {"error": "bad-event", "message": str(exc)})
                return
            assert name is not None
            if name.startswith("pywry:") and name not in PAGE_EVENTS:
                page.send_control("pywry:error", {"error": "reserved", "event": name})
                return
            if len(self._accepted) >= REMEMBERED_NAMES:
                self._accepted.clear()  # a page inventing names costs a check, not memory
            self._accepted.add(name)
        assert name is not None
        data = item.data
        if name == "pywry:disconnect":
            if page.said_goodbye:
                return
            page.said_goodbye = True
            reason = data.get("reason") if isinstance(data, dict) else None
            data = {"reason": reason or "page closed", "widget_id": page.label}
        self._dispatch(Event(name, data, page.label))
