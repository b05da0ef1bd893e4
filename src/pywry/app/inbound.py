"""What pages send: decoded, checked, handled once, and handed to the callbacks.

A message holds one frame or a batch. Each frame is checked in this order: a frame the
page resent after a reconnect and that was already handled is dropped silently (the
inbound ledger remembers, per page id, the last one handled); a bad event name, or a name
in pywry's own namespace that pages may not send, gets an in-band ``pywry:error`` for that
page only; anything else becomes an :class:`Event` for the callbacks. Nothing here ever
closes the connection: a page that sent one bad frame keeps working, except one that
announces more than ``max_message_size`` bytes (its text and binary values together): it
is told so and closed (1009), before any of those bytes is read.

A message whose frames have binary values (``app/binary.py``) is handled once the binary
messages that follow it have brought every value; they are put back where each belongs.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from ..domain.errors import InvalidEventNameError
from ..domain.events import Event, check_event_name
from ..domain.ports import InboundLedger
from ..domain.protocol import PAGE_EVENTS, Close, Control
from .binary import Incoming, join
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
        max_message: int = 4 * 1024 * 1024,
    ) -> None:
        self._max_message = max_message
        self._ledger = ledger
        self._dispatch = dispatch
        self._answered = answered  # a page's answer to a request of the script
        self.events_received = 0  # handed to the callbacks: the status page shows it

    async def receive(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message from ``page``; bad frames get an in-band error, nothing else.

        Returns how many seconds the page's reader should wait before reading on (the
        inbound rate limit slows a page down rather than dropping what it sent).
        """
        waiting = page.incoming
        if waiting is not None:
            if not isinstance(raw, str):
                return await self._piece(page, raw, *waiting)
            page.incoming = None
            self._bad(page, "a text message came before the binary values announced")
        elif not isinstance(raw, str):
            self._bad(page, "a binary message that no frame announced")
            return page.charge(1)
        try:
            items = decode_inbound(raw)
        except ProtocolError as exc:
            self._bad(page, str(exc))
            return page.charge(1)
        bins = [spec for item in items if item.bins for spec in item.bins]
        if bins:
            size = len(raw) + sum(spec.len for spec in bins)
            if size > self._max_message:
                message = f"frames are limited to {self._max_message} bytes (this one: {size})"
                page.send_control(Control.ERROR, {"error": "too-big", "message": message})
                page.close_after_flush(Close.TOO_BIG, "frame too big")
                return 0.0
            incoming = Incoming(bins)
            if not incoming.complete:
                page.incoming = (items, incoming)
                return 0.0
            return await self._handle(page, items, incoming.buffers)
        return await self._handle(page, items, [])

    async def _piece(
        self, page: PageSession, piece: bytes, items: list[InboundItem], incoming: Incoming
    ) -> float:
        try:
            incoming.take(piece)
        except ValueError as exc:
            page.incoming = None
            self._bad(page, str(exc))
            return page.charge(1)
        if not incoming.complete:
            return 0.0
        page.incoming = None
        return await self._handle(page, items, incoming.buffers)

    async def _handle(
        self, page: PageSession, items: list[InboundItem], buffers: list[bytes]
    ) -> float:
        at = 0
        for item in items:
            count = len(item.bins) if item.bins else 0
            await self._item(page, item, buffers[at : at + count])
            at += count
        return page.charge(len(items))

    @staticmethod
    def _bad(page: PageSession, message: str) -> None:
        page.send_control(Control.ERROR, {"error": "bad-frame", "message": message})

    async def _item(self, page: PageSession, item: InboundItem, buffers: list[bytes]) -> None:
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
        if item.bins:
            try:
                data = join(data, item.bins, buffers)
            except ValueError as exc:
                page.send_control(
                    Control.ERROR, {"error": "bad-frame", "event": name, "message": str(exc)}
                )
                return
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
