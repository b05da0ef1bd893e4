"""The hub: the loop side of one app, between its widgets' pages and the event bus.

It carries out what the script's side queued in the inbox, in order (registrations,
emits, closes), and it is the :class:`~pywry.app.page_port.PagePort` the server adapter
drives: rendering, admitting, reading from and letting go of pages. Everything here runs
on the event loop, so nothing here takes a lock.

An event reaches pages in two steps: the hub publishes it to the bus, which numbers it;
the bus hands it (in every process, in deploy mode) to the widget's channel, which keeps
it in its stream and wakes the widget's pages.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Awaitable, Callable, Coroutine
from typing import Any

from ..domain.events import Event
from ..domain.ports import EventBus, InboundLedger, PageConnection, Unsubscribe
from ..domain.protocol import Close as CloseCode
from ..domain.protocol import Control, page_id_or_anonymous
from ..domain.session import Session, SessionState
from ..domain.widget import Widget
from .callbacks import CallbackRunner
from .frames import encode_body
from .idle import IdleWatch
from .inbound import Inbound
from .inbox import Close, Command, Drop, Emit, Inbox, Register, Shutdown
from .lifecycle import Lifecycle
from .page_port import STOPPING, Rejection, RenderedPage
from .pages import PageSession, WidgetChannel
from .registry import WidgetRegistry
from .settings import ServerSettings

__all__ = ["Hub"]

log = logging.getLogger("pywry.hub")


class Hub:
    """Widgets' channels, their pages, and the commands of the script's side."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        registry: WidgetRegistry,
        bus: EventBus,
        ledger: InboundLedger,
        inbound: Inbound,
        runner: CallbackRunner,
        idle: IdleWatch,
        lifecycle: Lifecycle,
        inbox: Inbox,
    ) -> None:
        self._settings = settings
        self._registry = registry
        self._bus = bus
        self._ledger = ledger
        self._inbound = inbound
        self._runner = runner
        self._idle = idle
        self._lifecycle = lifecycle
        self._inbox = inbox
        self._channels: dict[str, WidgetChannel] = {}
        self._unsubscribe: dict[str, Unsubscribe] = {}
        self._taker: asyncio.Task[None] | None = None
        self._busy = False  # a command is being carried out (it may be waiting for the store)
        self._tasks: set[asyncio.Task[Any]] = set()  # pages of closed widgets, closing

    # ---------------------------------------------------------------- the inbox
    async def start(self) -> None:
        """Carry out what was queued before the start, then take commands as they come."""
        self._inbox.open()
        await self._carry_out()
        self._taker = asyncio.get_running_loop().create_task(self._take(), name="pywry-hub")

    async def _take(self) -> None:
        while True:
            await self._inbox.wait()
            await self._carry_out()

    async def _carry_out(self) -> None:
        for command in self._inbox.take():
            self._busy = True
            try:
                if isinstance(command, Emit):  # the usual command, and one that never waits
                    self._emit(command.label, command.body)
                    continue
                result = await self._run(command)
            except Exception as exc:
                if getattr(command, "done", None) is None:
                    log.exception("a widget operation failed")
                _settle(command, error=exc)
            else:
                _settle(command, result)
            finally:
                self._busy = False

    def emit_now(self, label: str | None, body: bytes) -> bool:
        """Hand an emit made on the loop to the bus at once; whether that was in order.

        Only when nothing is queued before it or being carried out: then going first keeps
        its place, and saves the hand-over to the task that takes commands.
        """
        if self._busy or self._inbox.pending or not self._lifecycle.running:
            return False
        self._emit(label, body)
        return True

    def _emit(self, label: str | None, body: bytes) -> None:
        if label is None:
            labels = list(self._channels)
        elif label in self._channels:
            labels = [label]
        else:
            return  # closed meanwhile: its pages are gone
        for name in labels:
            numbered = self._bus.publish(name, body)
            if numbered.done():
                _published(numbered)
            else:
                numbered.add_done_callback(_published)

    async def _run(self, command: Command) -> Any:
        match command:
            case Register(widget=widget, shown=shown):
                return await self._register(widget, shown=shown)
            case Close(label=label, done=done):
                await self._close(label, done)
                return _LATER
            case Drop(label=label, code=code):
                pages = self._pages_of(label)
                for page in pages:
                    page.cut(code, "connection dropped on purpose")
                return len(pages)
            case Shutdown():
                pages = self._pages_of(None)
                for page in pages:
                    page.say_last(Control.SERVER_STOPPED, {"reason": "server stopped"})
                return pages
        return None

    async def _register(self, widget: Widget, *, shown: bool) -> bool:
        await self._registry.store.save(widget)
        channel = self._channels.get(widget.label)
        if channel is None:
            await self._open_channel(widget)
            self._idle.expect_page()
            return True
        previous = channel.widget
        if previous.html != widget.html or previous.title != widget.title:
            update = encode_body(Control.UPDATE_HTML, {"html": widget.html, "title": widget.title})
            channel.replace_content(widget, await self._bus.publish(widget.label, update))
        else:
            channel.widget = widget
        if shown and not channel.pages:
            self._idle.expect_page()  # shown again with no page open: a page comes for it
        return False

    async def _open_channel(self, widget: Widget) -> WidgetChannel:
        channel = WidgetChannel(
            widget,
            max_frames=self._settings.replay_buffer_frames,
            max_bytes=self._settings.replay_buffer_bytes,
        )
        self._channels[widget.label] = channel
        self._unsubscribe[widget.label] = await self._bus.subscribe(widget.label, channel.deliver)
        return channel

    async def _close(self, label: str, done: concurrent.futures.Future[Any] | None) -> None:
        channel = self._channels.pop(label, None)
        if channel is None:
            _settle_future(done, None)
            return
        pages = list(channel.pages)
        for page in pages:
            page.say_last(Control.CLOSED, {"reason": "widget closed"})
        # What the widget leaves in the bus, the ledger and the store goes before the next
        # command: a show of the same label right after must start afresh.
        await self._unsubscribe.pop(label)()
        await self._bus.forget(label)
        await self._ledger.forget(label)
        await self._registry.store.delete(label)
        if not self._channels:
            self._idle.nothing_shown()
        # The pages' goodbyes may take a while; other widgets' commands do not wait for them.
        self._background(self._close_pages(pages, CloseCode.NORMAL, "widget closed"), done)

    async def _close_pages(self, pages: list[PageSession], code: int, reason: str) -> None:
        await asyncio.gather(
            *(page.flush_and_close(code, reason) for page in pages), return_exceptions=True
        )

    def _background(
        self, coro: Coroutine[Any, Any, None], done: concurrent.futures.Future[Any] | None
    ) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)

        def finished(task: asyncio.Task[None]) -> None:
            self._tasks.discard(task)
            _settle_future(done, None)

        task.add_done_callback(finished)

    def _pages_of(self, label: str | None) -> list[PageSession]:
        if label is None:
            channels = list(self._channels.values())
        else:
            channel = self._channels.get(label)
            channels = [] if channel is None else [channel]
        return [page for channel in channels for page in channel.pages]

    def page_count(self, label: str | None = None) -> int:
        if label is None:
            return self._idle.open_pages
        channel = self._channels.get(label)
        return 0 if channel is None else len(channel.pages)

    # ----------------------------------------------------------- the page port
    async def _channel(self, label: str) -> WidgetChannel | None:
        """The widget's channel; one is opened for a widget known only to the store."""
        channel = self._channels.get(label)
        if channel is None and self._lifecycle.running:
            widget = await self._registry.fetch(label)
            channel = self._channels.get(label)  # opened meanwhile?
            if widget is not None and channel is None:
                channel = await self._open_channel(widget)
        return channel

    async def page(self, label: str) -> RenderedPage | None:
        channel = await self._channel(label)
        if channel is None:
            return None
        return RenderedPage(channel.widget, channel.render_cursor(), channel.content_seq)

    async def attach(
        self,
        label: str,
        *,
        token: str | None,
        page_id: str,
        since: int | None,
        conn: PageConnection,
        admit: Callable[[], Awaitable[None]] | None = None,
    ) -> PageSession | Rejection:
        """Admit a page that opened its socket, or say why not.

        ``admit`` completes the handshake. It runs once the page is counted among the
        widget's pages, so anything emitted after the handshake reaches it. The page's
        first frame is ``pywry:hello``: the last frame of its own we handled (``inbound``),
        so it resends only what we never had, and the limits it should keep to.
        """
        if self._lifecycle.over:
            return STOPPING
        channel = await self._channel(label)
        if channel is None:
            return Rejection(CloseCode.AUTH, "unknown-widget", f"no widget {label!r} here")
        if self._settings.websocket_require_token and not channel.widget.token.matches(token):
            return Rejection(CloseCode.AUTH, "auth", "missing or wrong widget token")
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
        channel.ever_connected = True
        self._idle.page_opened()
        if admit is not None:
            try:
                await admit()
            except BaseException:
                await self.detach(page)
                raise
            if self._lifecycle.over or session.state is not SessionState.CONNECTING:
                # The server began stopping (or closed this page) during the handshake.
                await self.detach(page)
                return STOPPING
        hello = {
            "inbound": session.handled,
            "resumed": session.handled > 0,
            "cursor": cursor,
            "head": head,
            "rate": self._settings.max_inbound_rate,
            "maxMessage": self._settings.max_message_size,
        }
        # Only a page that gave its id can resume; a hand-written client gets no hello.
        page.start(hello if session.resumable else None)
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
            self._idle.page_closed(stopping=self._lifecycle.over)

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
            widget = current.revised(html=html, title=title)
        else:
            widget = Widget(label=label, html=html, title=title or "PyWry")
        self._registry.put(widget)
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._inbox.put(Register(widget, done=done))
        await asyncio.wrap_future(done)
        return widget

    # ---------------------------------------------------------------- shutdown
    async def shutdown(self, *, timeout: float) -> None:
        """Tell every page the server is stopping and close them (1001), within ``timeout``.

        The goodbye is a command like the others: it comes after every event queued before.
        """
        told: concurrent.futures.Future[list[PageSession]] = concurrent.futures.Future()
        self._inbox.put(Shutdown(told))
        try:
            pages = await asyncio.wait_for(asyncio.wrap_future(told), max(timeout, 1.0))
        except TimeoutError:  # the queue is stuck (a store or bus that does not answer)
            pages = self._pages_of(None)
            for page in pages:
                page.say_last(Control.SERVER_STOPPED, {"reason": "server stopped"})
        await asyncio.gather(
            *(
                page.flush_and_close(CloseCode.GOING_AWAY, "server stopped", timeout=timeout)
                for page in pages
            ),
            return_exceptions=True,
        )

    async def close(self) -> None:
        """Stop taking commands; those still queued are dropped (their waiters released)."""
        if self._taker is not None:
            self._taker.cancel()
            await asyncio.gather(self._taker, return_exceptions=True)
            self._taker = None
        for command in self._inbox.discard():
            _settle(command, None)
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)


_LATER = object()  # the command's waiter is released later, by a task of its own


def _published(numbered: asyncio.Future[int]) -> None:
    if not numbered.cancelled() and numbered.exception() is not None:
        log.error("an event could not be published", exc_info=numbered.exception())


def _settle(command: Command, result: Any = None, *, error: BaseException | None = None) -> None:
    done = getattr(command, "done", None)
    if done is None or result is _LATER:
        return
    if error is not None:
        if not done.done():
            done.set_exception(error)
    else:
        _settle_future(done, result)


def _settle_future(done: concurrent.futures.Future[Any] | None, result: Any) -> None:
    if done is not None and not done.done():
        done.set_result(result)
