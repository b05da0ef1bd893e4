"""What pages send: decoded, checked, handled once, and handed to the callbacks.

A message holds one frame or a batch. Each frame is checked in this order: a frame the
page resent after a reconnect and that was already handled is dropped silently (the
inbound ledger remembers, per page id, the last one handled); a bad event name, or a name
in pywry's own namespace that pages may not send, gets an in-band ``pywry:error`` for that
page only; anything else becomes an :class:`Event` for the callbacks. Nothing here ever
closes the connection: a page that sent one bad frame keeps working.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..domain.errors import InvalidEventNameError
from ..domain.events import Event, check_event_name
from ..domain.ports import InboundLedger
from ..domain.protocol import PAGE_EVENTS, Control
from .frames import InboundItem, ProtocolError, decode_inbound
from .pages import PageSession

__all__ = ["Inbound"]


class Inbound:
    """Turns a page's messages into events for ``dispatch``."""

    def __init__(
        self,
        *,
        ledger: InboundLedger,
        dispatch: Callable[[Event], Awaitable[None] | None],
        answered: Callable[[PageSession, object], None],
    ) -> None:
        self._ledger = ledger
        self._dispatch = dispatch
        self._answered = answered  # a page's answer to a request of the script
        self.events_received = 0  # handed to the callbacks: the status page shows it

    async def receive(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message from ``page``; bad frames get an in-band error, nothing else.

        Returns how many seconds the page's reader should wait before reading on (the
        inbound rate limit slows a page down rather than dropping what it sent).
        """
        try:
            items = decode_inbound(raw)
        except ProtocolError as exc:
            page.send_control(Control.ERROR, {"error": "bad-frame", "message": str(exc)})
            return page.charge(1)
        for item in items:
            await self._item(page, item)
        return page.charge(len(items))

    async def _item(self, page: PageSession, item: InboundItem) -> None:
        # Duplicates first: a frame resent after a reconnect was handled (or refused) once.
        seq = item.seq
        if seq is not None:
            session = page.session
            if session.resumable:
                new = await self._ledger.accept(page.label, session.page_id, seq)
            else:
                new = seq > session.handled  # an anonymous page cannot resume: this socket only
            if not new:
                return
            page.mark_handled(seq)
        name = item.type
        try:
            check_event_name(name)
        except InvalidEventNameError as exc:
            page.send_control(Control.ERROR, {"error": "bad-event", "message": str(exc)})
            return
        assert name is not None
        if name.startswith("pywry:") and name not in PAGE_EVENTS:
            page.send_control(Control.ERROR, {"error": "reserved", "event": name})
            return
        data = item.data
        if name == Control.RESPONSE:
            self._answered(page, data)
            return
        if name == Control.DISCONNECT:
            if not page.say_goodbye():
                return  # said already, by beacon or by a frame
            reason = data.get("reason") if isinstance(data, dict) else None
            data = {"reason": reason or "page closed", "widget_id": page.label}
        self.events_received += 1
        kept = self._dispatch(Event(name, data, page.label, page.page_id, item.id))
        if kept is not None:
            await kept
