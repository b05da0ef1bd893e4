"""Reception: the page-facing side of an app, the :class:`PagePort` the server adapter drives.

It renders a widget's page, admits the page's socket (or says why not), hands over what the
page sends, lets it go, and takes goodbyes by beacon and registrations by the JSON API. It
shares the widget channels with the hub, on the same event loop, so nothing here takes a
lock. A widget this process has not seen is read from the widget store and its channel
opened, so any worker of a deployment can serve any widget's page.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Awaitable, Callable
from typing import Any

from ..domain.events import Event
from ..domain.ports import InboundLedger, PageConnection
from ..domain.protocol import Close as CloseCode
from ..domain.protocol import Control, Farewell, page_id_or_anonymous
from ..domain.session import Session, SessionState
from ..domain.widget import Widget
from .binary import CHUNK
from .callbacks import CallbackRunner
from .channels import Channels, WidgetChannel
from .idle import IdleWatch
from .inbound import Inbound
from .inbox import Inbox, Register
from .lifecycle import Lifecycle
from .page_port import Rejection, RenderedPage, stopping
from .pages import PageSession
from .registry import WidgetRegistry
from .requests import PageRequests
from .settings import MAX_TEXT_BYTES, ServerSettings

__all__ = ["Reception"]


class Reception:
    """What pages can do, against this process's widget channels."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        channels: Channels,
        registry: WidgetRegistry,
        ledger: InboundLedger,
        inbound: Inbound,
        requests: PageRequests,
        runner: CallbackRunner,
        idle: IdleWatch,
        lifecycle: Lifecycle,
        inbox: Inbox,
        farewell: Farewell = Farewell.STOPPED,
    ) -> None:
        self._settings = settings
        self._stopping = stopping(farewell)
        self._channels = channels
        self._registry = registry
        self._ledger = ledger
        self._inbound = inbound
        self._requests = requests
        self._runner = runner
        self._idle = idle
        self._lifecycle = lifecycle
        self._inbox = inbox

    async def _channel(self, label: str) -> WidgetChannel | None:
        """The widget's channel; one is opened for a widget known only to the store."""
        channel = self._channels.get(label)
        if channel is None and self._lifecycle.running:
            widget = await self._registry.fetch(label)
            channel = self._channels.get(label)  # opened meanwhile?
            if widget is not None and channel is None:
                channel = await self._channels.open(widget)
        return channel

    async def page(self, label: str) -> RenderedPage | None:
        if self._lifecycle.over:
            return None  # the app stopped; a host server may still be running
        channel = await self._channel(label)
        if channel is None:
            return None
        # Another worker may have published since this one last read, or found the log lost
        # and started it over: a page rendered with stale numbers would reload twice.
        await self._channels.catch_up(label)
        await self._channels.check_seen(channel)
        if self._channels.get(label) is not channel:
            return None
        return RenderedPage(
            channel.widget,
            channel.render_cursor(),
            channel.content_seq,
            epoch=self._channels.epoch(label),
        )

    async def attach(
        self,
        label: str,
        *,
        token: str | None,
        page_id: str,
        since: int | None,
        conn: PageConnection,
        admit: Callable[[], Awaitable[None]] | None = None,
        epoch: str | None = None,
    ) -> PageSession | Rejection:
        """Admit a page that opened its socket, or say why not.

        ``admit`` completes the handshake. It runs once the page is counted among the
        widget's pages, so anything emitted after the handshake reaches it. The page's
        first frame is ``pywry:hello``: the last frame of its own we handled (``inbound``),
        so it resends only what we never had, and the limits it should keep to.
        """
        if self._lifecycle.over:
            return self._stopping
        channel = await self._channel(label)
        if channel is None:
            return Rejection(CloseCode.AUTH, "unknown-widget", f"no widget {label!r} here")
        if self._settings.websocket_require_token and not channel.widget.token.matches(token):
            return Rejection(CloseCode.AUTH, "auth", "missing or wrong widget token")
        if epoch is not None and epoch != self._channels.epoch(label):
            await self._channels.catch_up(label)  # this worker may not have read it yet
            if epoch != self._channels.epoch(label):
                # The page counts in a log that was lost: its numbers mean nothing here.
                return Rejection(
                    CloseCode.RESYNC, "resync", "the widget's event log started over: reload"
                )
        await self._channels.mark_seen(channel)
        session = Session(label=label, page_id=page_id_or_anonymous(page_id))
        if session.resumable:
            session.handled = await self._ledger.last(label, session.page_id)
        if self._channels.get(label) is not channel:
            return Rejection(CloseCode.AUTH, "unknown-widget", f"widget {label!r} was closed")
        # Connections of this same page that we have not seen close yet (a half-open
        # socket after a network blip): the new one replaces them.
        stale = [p for p in channel.pages if session.resumable and p.page_id == session.page_id]
        if len(channel.pages) - len(stale) >= self._settings.max_pages_per_widget:
            return Rejection(
                CloseCode.POLICY, "too-many-pages", "this widget has too many open pages"
            )
        head = channel.stream.head
        cursor = head if since is None else max(0, min(since, head))
        page = PageSession(
            session=session,
            channel=channel,
            conn=conn,
            cursor=cursor,
            batch_bytes=self._settings.outbound_batch_bytes,
            max_rate=self._settings.max_inbound_rate,
        )
        channel.pages.add(page)
        self._idle.page_opened(channel.widget.label)
        if admit is not None:
            try:
                await admit()
            except BaseException:
                await self.detach(page)
                raise
            if self._lifecycle.over or session.state is not SessionState.CONNECTING:
                # The server began stopping (or closed this page) during the handshake.
                await self.detach(page)
                return self._stopping
        hello = {
            "inbound": session.handled,
            "resumed": session.handled > 0,
            "cursor": cursor,
            "head": head,
            "rate": self._settings.max_inbound_rate,
            "maxMessage": self._settings.max_message_size,
            "maxText": min(self._settings.max_message_size, MAX_TEXT_BYTES),
            "chunk": CHUNK,
        }
        # Only a page that gave its id can resume; a hand-written client gets no hello.
        page.start(hello if session.resumable else None)
        self._requests.page_connected(page)  # questions of the script still waiting
        for old in stale:
            # Nothing more to send there: the page reads from its new connection now.
            old.cut(CloseCode.NORMAL, "replaced by a newer connection of this page")
        return page

    async def receive(self, page: PageSession, raw: str | bytes) -> float:
        return await self._inbound.receive(page, raw)

    async def detach(self, page: PageSession) -> None:
        page.stop()
        channel = page.channel
        if page in channel.pages:
            channel.pages.discard(page)
            self._idle.page_closed(channel.widget.label, stopping=self._lifecycle.over)

    async def beacon(
        self,
        label: str,
        *,
        token: str | None,
        page_id: str | None,
        reason: str,
        trusted: bool = False,
    ) -> bool:
        """A goodbye by beacon: one page's when the socket could not say it, or the widget's.

        With a page id, that page said goodbye (once, whichever way came first). Without one
        (a caller of the release's ``POST /disconnect/{id}``, which knew one page per widget),
        every page of the widget said goodbye: the callback runs once for the widget. Needs
        the widget's token, or ``trusted`` (the internal API token, checked by the route).
        """
        channel = self._channels.get(label)
        if channel is None or not (trusted or channel.widget.token.matches(token)):
            return False
        leaving = [
            page
            for page in channel.pages
            if (not page_id or page.page_id == page_id) and page.say_goodbye()
        ]
        if leaving or not page_id:
            data = {"reason": reason, "widget_id": label}
            self._runner.dispatch(Event(Control.DISCONNECT, data, label, page_id or None))
        return True

    async def register(self, label: str, html: str, title: str | None = None) -> Widget:
        current = await self._registry.fetch(label)
        if current is not None:
            # The page posted whole, as the release's recovery does: nothing is kept around it.
            widget = current.revised(html=html, title=title, surround=None)
        else:
            widget = Widget(label=label, html=html, title=title or "PyWry")
        self._registry.put(widget)
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._inbox.put(Register(widget, done=done))
        await asyncio.wrap_future(done)
        return widget
