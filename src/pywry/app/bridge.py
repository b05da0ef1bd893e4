"""The bridge: widgets, their pages, the callbacks and the outbound fan-out.

It lives on the server's event loop. The user's thread reaches it through a few
thread-safe entry points: ``register``/``update``/``close`` wait for the loop (they are
rare), ``emit`` never waits (events are encoded in the caller's thread and handed over
through one wake-up per burst, not one per event).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass
from typing import Any

from ..domain.errors import IllegalTransitionError, InvalidArgumentError, UnknownWidgetError
from ..domain.events import REMEMBERED_NAMES, Event, check_event_name
from ..domain.ports import EventBus, Unsubscribe, WidgetStore
from ..domain.session import ANONYMOUS_PAGE, Session, SessionState
from ..domain.widget import Widget
from .callbacks import CallbackRunner
from .frames import encode_body
from .inbound import Inbound
from .listeners import CallbackTable
from .loop import LoopThread
from .pages import PageConnection, PageSession, WidgetChannel
from .settings import ServerSettings

__all__ = ["Bridge", "Rejection", "RenderedPage"]

log = logging.getLogger("pywry.bridge")

CLOSE_AUTH = 4001
CLOSE_POLICY = 1008
CLOSE_TOO_BIG = 1009
CLOSE_GOING_AWAY = 1001
CLOSE_NORMAL = 1000
CLOSE_RESTART = 1012
# Page ids a widget remembers the last inbound frame of, per page it may have open at once:
# pages reload (a new id each time), and a forgotten id could see a frame handled twice.
LEDGER_PAGES_PER_SLOT = 16


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """What the page route needs to render a widget."""

    widget: Widget
    since: int
    content_seq: int = 0  # the frame of the content update the page renders (0: the show)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a page may not connect: an in-band error, then a close with ``code``."""

    code: int
    error: str
    message: str


# A page that connects while the server stops: told in-band, then closed 1001.
STOPPING = Rejection(CLOSE_GOING_AWAY, "server-stopped", "the pywry server is stopping")


class Bridge:
    """Owns the widgets of one server and everything that flows to and from their pages."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        store: WidgetStore,
        bus: EventBus,
        callbacks: CallbackTable,
        loop_thread: LoopThread,
    ) -> None:
        self._settings = settings
        self._store = store
        self._bus = bus
        self._callbacks = callbacks
        self._loop_thread = loop_thread
        self._runner = CallbackRunner(
            table=callbacks,
            workers=settings.callback_workers,
            report=self._report_failure,
            inline_budget=settings.callback_inline_budget,
        )
        self._inbound = Inbound(dispatch=self._runner.dispatch)
        self._channels: dict[str, WidgetChannel] = {}
        self._unsubscribe: dict[str, Unsubscribe] = {}
        self._inbox: deque[tuple[str | None, bytes]] = deque()
        self._wake_pending = False
        self._names: set[str] = set()  # event names emitted before: checked once, not per emit
        self._open_pages = 0
        self._ever_connected = False
        self._idle = threading.Event()
        self._grace: asyncio.TimerHandle | None = None
        self._stopped = False  # stopping: no new pages, emits go nowhere
        self._gone = False  # stopped for good: emits raise
        self._tasks: set[asyncio.Task[Any]] = set()  # work left by calls made on the loop

    # ----------------------------------------------------------------- user thread
    def register(self, widget: Widget, *, shown: bool = False) -> bool:
        """Register ``widget`` (new, or new content for its label); whether it was new.

        ``shown``: a ``show()`` of it, so a page is expected again even for a label whose
        pages went (``block()`` waits for it); an update of the content expects none.
        Like every call here, safe from a callback running on the loop: it then does its
        work at once and leaves the waiting part (the store) to a task.
        """
        if self._loop_thread.in_loop_thread():
            new = self._register_now(widget, shown=shown)
            self._background(self._store.save(widget))
            return new
        return self._loop_thread.run(self._register(widget, shown=shown))

    def update(self, label: str, html: str, title: str | None = None) -> None:
        """Replace a widget's content; its open pages update in place."""
        channel = self._channel(label)
        self.register(channel.widget.revised(html=html, title=title))

    def close(self, label: str) -> None:
        """Forget a widget: tell its pages, and its URL answers 404 from now on."""
        self._channel(label)
        if self._loop_thread.in_loop_thread():
            pages = self._close_now(label)
            if pages is not None:
                self._background(self._finish_close(label, pages))
            return
        self._loop_thread.run(self._close(label))

    def emit(self, event_type: str, data: Any = None, label: str | None = None) -> None:
        """Send an event to a widget's pages (every widget's when ``label`` is None)."""
        # Any thread may add to the set: each set operation is atomic, and a lost race only
        # costs one more check. A name that is not a str never reaches the set (it may not
        # even be hashable): the check refuses it with a clear error.
        if type(event_type) is not str or event_type not in self._names:
            check_event_name(event_type)
            if len(self._names) >= REMEMBERED_NAMES:
                self._names.clear()
            self._names.add(event_type)
        if label is not None and (type(label) is not str or label not in self._channels):
            if not isinstance(label, str):
                raise InvalidArgumentError(f"label must be a string, got {type(label).__name__}")
            self._channel(label)  # raises, naming the widgets there are
        body = encode_body(event_type, data)  # data JSON cannot carry raises here, always
        if self._stopped:
            if self._gone:
                # Nothing would ever send it: say so instead of queueing it for nobody.
                raise IllegalTransitionError(
                    "this PyWry app was destroyed (its server stopped); create a new PyWry()"
                )
            return  # a callback finishing while the server stops: its pages are gone
        if self._loop_thread.in_loop_thread():
            # On the loop already (a callback there): no hand-over. What other threads
            # queued before goes first.
            if label is not None and not self._inbox:
                self._bus.publish(label, body)
                return
            self._inbox.append((label, body))
            self._drain_inbox()
            return
        self._inbox.append((label, body))
        if not self._wake_pending:
            self._wake_pending = True
            try:
                self._loop_thread.call_soon(self._drain_inbox)
            except BaseException:
                self._wake_pending = False  # the next emit tries (and fails) again, loudly
                raise

    def drop_connections(self, label: str | None = None, *, code: int = CLOSE_RESTART) -> int:
        """Close pages' sockets at once, unannounced: they reconnect and resume.

        A network blip on demand, for tests and benchmarks of reconnects (one widget's
        pages, or every page when ``label`` is None); returns how many were closed.
        """
        if label is not None:
            self._channel(label)
        if self._loop_thread.in_loop_thread():
            pages = self._pages_of(label)
            for page in pages:
                self._background(page.cut(code, "connection dropped on purpose"))
            return len(pages)
        count: int = self._loop_thread.run(self._drop_connections(label, code))
        return count

    def _pages_of(self, label: str | None) -> list[PageSession]:
        channels = self._channels.values() if label is None else [self._channels[label]]
        return [page for channel in channels for page in channel.pages]

    def _background(self, coro: Coroutine[Any, Any, Any]) -> None:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._background_done)

    def _background_done(self, task: asyncio.Task[Any]) -> None:
        self._tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a widget operation failed", exc_info=task.exception())

    async def _drop_connections(self, label: str | None, code: int) -> int:
        pages = self._pages_of(label)
        for page in pages:
            await page.cut(code, "connection dropped on purpose")
        return len(pages)

    def labels(self) -> list[str]:
        return list(self._channels)

    def has(self, label: str) -> bool:
        return label in self._channels

    def widget(self, label: str) -> Widget:
        return self._channel(label).widget

    def page_count(self, label: str | None = None) -> int:
        if label is None:
            return self._open_pages
        channel = self._channels.get(label)
        return 0 if channel is None else len(channel.pages)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Wait until pages came and all of them have gone for the grace period."""
        return self._idle.wait(timeout)

    async def settle(self, timeout: float = 5.0) -> bool:
        """Wait until no callback is queued or running; whether that happened in time."""
        return await self._runner.settle(timeout)

    def in_callback_worker(self) -> bool:
        """Whether the calling thread runs sync callbacks (so a stop must not wait for it)."""
        return self._runner.in_worker()

    def wake_waiters(self) -> None:
        """The server stopped for good: release ``wait_idle``; emits raise from now on."""
        self._stopped = self._gone = True
        self._idle.set()

    def _channel(self, label: str) -> WidgetChannel:
        channel = self._channels.get(label)
        if channel is None:
            known = ", ".join(repr(name) for name in self._channels) or "none"
            raise UnknownWidgetError(f"no widget is shown under label {label!r} (shown: {known})")
        return channel

    # ------------------------------------------------------------------- the loop
    async def _register(self, widget: Widget, *, shown: bool = False) -> bool:
        await self._store.save(widget)
        return self._register_now(widget, shown=shown)

    def _register_now(self, widget: Widget, *, shown: bool = False) -> bool:
        channel = self._channels.get(widget.label)
        if channel is not None:
            previous = channel.widget
            if previous.html != widget.html or previous.title != widget.title:
                update = {"html": widget.html, "title": widget.title}
                channel.replace_content(widget, encode_body("pywry:update-html", update))
            else:
                channel.widget = widget
            if shown and not channel.pages:
                self._expect_pages()  # shown again with no page open: a page comes for it
            return False
        channel = WidgetChannel(
            widget,
            max_frames=self._settings.replay_buffer_frames,
            max_bytes=self._settings.replay_buffer_bytes,
            max_pages=LEDGER_PAGES_PER_SLOT * self._settings.max_pages_per_widget,
        )
        self._channels[widget.label] = channel
        self._unsubscribe[widget.label] = self._bus.subscribe(widget.label, channel.append)
        self._expect_pages()
        return True

    def _expect_pages(self) -> None:
        # block() waits for this widget's page now; a grace period counting down for the
        # pages that went before must not end that wait.
        self._idle.clear()
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None

    async def register_async(self, widget: Widget) -> bool:
        """``register`` for code already on the loop (the re-register route)."""
        return await self._register(widget)

    async def _close(self, label: str) -> None:
        pages = self._close_now(label)
        if pages is not None:
            await self._finish_close(label, pages)

    def _close_now(self, label: str) -> list[PageSession] | None:
        """Forget the widget at once; its pages, told why, are closed by the caller."""
        channel = self._channels.pop(label, None)
        if channel is None:
            return None
        self._unsubscribe.pop(label)()
        self._callbacks.drop_label(label)
        pages = list(channel.pages)
        for page in pages:
            page.say_last("pywry:closed", {"reason": "widget closed"})
        return pages

    async def _finish_close(self, label: str, pages: list[PageSession]) -> None:
        await self._store.delete(label)
        await asyncio.gather(
            *(page.flush_and_close(CLOSE_NORMAL, "widget closed") for page in pages),
            return_exceptions=True,
        )
        if not self._channels:
            self._idle.set()

    def _drain_inbox(self) -> None:
        # Clear the flag before draining: an append that sees it set is drained below.
        self._wake_pending = False
        inbox = self._inbox
        while inbox:
            label, body = inbox.popleft()
            if label is None:
                for name in list(self._channels):
                    self._bus.publish(name, body)
            elif label in self._channels:
                self._bus.publish(label, body)

    async def page(self, label: str) -> RenderedPage | None:
        channel = self._channels.get(label)
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
        if self._stopped:
            return STOPPING
        channel = self._channels.get(label)
        if channel is None:
            return Rejection(CLOSE_AUTH, "unknown-widget", f"no widget {label!r} on this server")
        if self._settings.websocket_require_token and not channel.widget.token.matches(token):
            return Rejection(CLOSE_AUTH, "auth", "missing or wrong widget token")
        resumable = page_id != ANONYMOUS_PAGE
        # Connections of this same page that we have not seen close yet (a half-open
        # socket after a network blip): the new one replaces them.
        stale = [p for p in channel.pages if resumable and p.session.page_id == page_id]
        if len(channel.pages) - len(stale) >= self._settings.max_pages_per_widget:
            return Rejection(CLOSE_POLICY, "too-many-pages", "this widget has too many open pages")
        head = channel.stream.head
        cursor = head if since is None else max(0, min(since, head))
        resumed = resumable and channel.inbound.knows(page_id)
        session = Session(
            label=label,
            page_id=page_id,
            cursor=cursor,
            ledger=channel.inbound if resumable else None,
        )
        page = PageSession(
            session=session,
            channel=channel,
            conn=conn,
            batch_bytes=self._settings.outbound_batch_bytes,
            max_rate=self._settings.max_inbound_rate,
        )
        channel.pages.add(page)
        channel.ever_connected = True
        self._open_pages += 1
        self._ever_connected = True
        self._idle.clear()
        if self._grace is not None:
            self._grace.cancel()
            self._grace = None
        if admit is not None:
            try:
                await admit()
            except BaseException:
                await self.detach(page)
                raise
            if self._stopped or page.session.state is not SessionState.CONNECTING:
                # The server began stopping (or closed this page) during the handshake.
                await self.detach(page)
                return STOPPING
        # Only a page that gave its id can resume; a hand-written client gets no hello.
        hello = {
            "inbound": session.inbound_seq,
            "resumed": resumed,
            "cursor": cursor,
            "head": head,
            "rate": self._settings.max_inbound_rate,
            "maxMessage": self._settings.max_message_size,
        }
        page.start(hello if resumable else None)
        for old in stale:
            # Nothing more to send there: the page reads from its new connection now.
            await old.cut(CLOSE_NORMAL, "replaced by a newer connection of this page")
        return page

    async def detach(self, page: PageSession) -> None:
        """The page's socket closed."""
        page.stop()
        channel = page.channel
        if page in channel.pages:
            channel.pages.discard(page)
            self._open_pages -= 1
        if self._open_pages == 0 and self._ever_connected and not self._stopped:
            loop = asyncio.get_running_loop()
            if self._grace is not None:
                self._grace.cancel()
            self._grace = loop.call_later(self._settings.reconnect_grace, self._grace_over)

    def _grace_over(self) -> None:
        self._grace = None
        if self._open_pages == 0:
            self._idle.set()

    def receive(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message from a page (see :class:`Inbound`); seconds to pause reading."""
        return self._inbound.receive(page, raw)

    def receive_and_reply(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message, then start sending what that produced for ``page`` at once.

        The page's reader calls this: an answer made while handling (a callback on the loop
        that emits, an acknowledgement, an error report) leaves without waking the page's
        writer task, and without the reader waiting for the send. Returns seconds to pause
        reading, as :meth:`receive`.
        """
        page.hold()
        try:
            return self._inbound.receive(page, raw)
        finally:
            page.release()

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
            if not page.said_goodbye and (not page_id or page.session.page_id == page_id)
        ]
        for page in leaving:
            page.said_goodbye = True
        if leaving or not page_id:
            self._runner.dispatch(
                Event("pywry:disconnect", {"reason": reason, "widget_id": label}, label)
            )
        return True

    def _report_failure(self, event: Event, exc: BaseException) -> None:
        data = {"event": event.name, "error": type(exc).__name__, "message": str(exc)}
        # Through the same path as emit(): the page sees the report after whatever the
        # callback emitted before it failed, and before what later events emit.
        with contextlib.suppress(UnknownWidgetError, IllegalTransitionError):
            self.emit("pywry:error", data, event.label)  # not if the widget or server went

    async def shutdown(self, *, timeout: float = 2.0) -> None:
        """Tell every page the server is stopping and close them (1001)."""
        self._stopped = True
        if self._grace is not None:
            self._grace.cancel()
        pages = [page for channel in self._channels.values() for page in channel.pages]
        for page in pages:
            page.say_last("pywry:server-stopped", {"reason": "server stopped"})
        await asyncio.gather(
            *(
                page.flush_and_close(CLOSE_GOING_AWAY, "server stopped", timeout=timeout)
                for page in pages
            ),
            return_exceptions=True,
        )
        # Events the pages sent were acknowledged when queued for their callbacks, so the
        # pages will not send them again: let those callbacks run before the server goes.
        dropped = await self._runner.drain(timeout)
        if dropped:
            log.warning(
                "%d callback call(s) had not run when the server stopped (after %.1f s); "
                "raise timeout_graceful_shutdown to give callbacks more time",
                dropped,
                timeout,
            )
        self._idle.set()
