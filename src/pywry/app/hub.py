"""The hub: carries out, on the event loop and in order, what the script's side queued.

Registrations, emits, closes and drops come through the inbox from any thread; the hub
applies them to this process's widget channels. An event reaches pages in two steps: the
hub publishes it to the bus, which numbers it; the bus hands it (in every process, in
deploy mode) to the widget's channel, which keeps it in its stream and wakes the pages.
The page-facing side, on the same channels and loop, is :class:`~pywry.app.reception.Reception`.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from collections.abc import Coroutine, Iterable, Iterator, Sequence
from typing import Any, cast

from ..domain.ports import Body, EventBus, Relay
from ..domain.protocol import Close as CloseCode
from ..domain.protocol import Control, Farewell
from ..domain.widget import Widget
from .channels import Channels
from .frames import encode_body
from .idle import IdleWatch
from .inbox import Close, Command, Drop, Emit, Inbox, Register, Shutdown
from .lifecycle import Lifecycle
from .modes import theme_in_frame
from .pages import PageSession
from .registry import WidgetRegistry

__all__ = ["Hub"]

log = logging.getLogger("pywry.hub")


class Hub:
    """Takes the inbox's commands and applies them to the widget channels."""

    def __init__(
        self,
        *,
        channels: Channels,
        registry: WidgetRegistry,
        bus: EventBus,
        idle: IdleWatch,
        lifecycle: Lifecycle,
        inbox: Inbox,
        relay: Relay,
        farewell: Farewell = Farewell.STOPPED,
    ) -> None:
        self._relay = relay
        self._channels = channels
        self._farewell = farewell
        self._registry = registry
        self._bus = bus
        self._idle = idle
        self._lifecycle = lifecycle
        self._inbox = inbox
        self._taker: asyncio.Task[None] | None = None
        self._more: asyncio.Event | None = None  # the taker has commands to carry out
        self._busy = False  # a command is being carried out (it may be waiting for the store)
        self._tasks: set[asyncio.Task[Any]] = set()  # pages of closed widgets, closing

    # ---------------------------------------------------------------- the inbox
    async def start(self) -> None:
        """Carry out what was queued before the start, then take commands as they come."""
        self._more = asyncio.Event()
        await self._carry_out()
        self._inbox.open(self._woken)
        self._taker = asyncio.get_running_loop().create_task(self._take(), name="pywry-hub")

    def _woken(self) -> None:
        """Something was put in the inbox (called on the loop).

        Emits at the front are handed to the bus right here. The first command that may
        wait (a registration or a close waits for the store), and everything after it, are
        the taker task's, in order; while it carries one out, new commands wait for it.
        """
        if not self._busy:
            self._emit_all(cast("Iterator[Emit]", self._inbox.take(while_=_is_emit)))
        if self._inbox.pending and self._more is not None:
            self._more.set()

    async def _take(self) -> None:
        more = self._more
        assert more is not None
        while True:
            await more.wait()
            more.clear()
            await self._carry_out()

    async def _carry_out(self) -> None:
        for command in self._inbox.take():
            self._busy = True
            try:
                if isinstance(command, Emit):  # the usual command, and one that never waits
                    self._emit(command.label, (command.body,))
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

    def emit_now(self, label: str | None, body: Body) -> bool:
        """Hand an emit made on the loop to the bus at once; whether that was in order.

        Only when nothing is queued before it or being carried out: then going first keeps
        its place, and saves the hand-over to the task that takes commands.
        """
        if self._busy or self._inbox.pending or not self._lifecycle.running:
            return False
        self._emit(label, (body,))
        return True

    def _emit_all(self, emits: Iterable[Emit]) -> None:
        """Hand emits to the bus in order; a run of them for one widget in one publish
        (a burst of emits is numbered, kept and woken for once, not event by event)."""
        label: str | None = None
        bodies: list[Body] = []
        for command in emits:
            if bodies and command.label != label:
                self._emit(label, bodies)
                bodies = []
            label = command.label
            bodies.append(command.body)
        if bodies:
            self._emit(label, bodies)

    def _emit(self, label: str | None, bodies: Sequence[Body]) -> None:
        if label is None:
            labels = self._channels.labels()
        elif self._channels.get(label) is not None:
            labels = [label]
        else:
            return  # closed meanwhile: its pages are gone
        for body in bodies:
            theme = theme_in_frame(body)  # None for every other event: a prefix compared
            if theme is not None:
                for name in labels:
                    self._keep_theme(name, theme)
        for name in labels:
            numbered = self._bus.publish(name, *bodies)
            if numbered.done():
                _published(numbered)
            else:
                numbered.add_done_callback(_published)

    def _keep_theme(self, label: str, theme: str) -> None:
        """A theme switch is the widget's from now on: a page that loads it (a reload, a new
        tab, on any worker) comes up in it. Stored as the switch is published."""
        channel = self._channels.get(label)
        if channel is not None and channel.widget.theme != theme:
            channel.widget = channel.widget.themed(theme)
            self._registry.retheme(label, theme)
            self._channels.save_later(channel)

    async def _run(self, command: Command) -> Any:
        match command:
            case Register(widget=widget, shown=shown):
                return await self._register(widget, shown=shown)
            case Close(label=label, done=done):
                await self._close(label, done)
                return _LATER
            case Drop(label=label, code=code):
                pages = self._channels.pages_of(label)
                for page in pages:
                    page.cut(code, "connection dropped on purpose")
                return len(pages)
            case Shutdown():
                return self._say_farewell()
        return None

    async def _register(self, widget: Widget, *, shown: bool) -> bool:
        current = self._channels.get(widget.label)
        if current is not None:
            # The theme changes by pywry:update-theme only (here or on another worker): new
            # content keeps the one its pages are in.
            widget = widget.themed(current.widget.theme)
        stored = await self._registry.store.save(widget)
        if stored is not widget:
            # Another process stored this label first (every worker of a deployment shows
            # its import-time widgets): its token stays, so this one adopts it.
            self._registry.adopt(stored)
            widget = stored
        channel = self._channels.get(widget.label)
        if channel is None:
            try:
                await self._relay.claim(widget.label)  # its pages' events come here
            except Exception as exc:
                log.error("widget %r could not be claimed for this worker: %s", widget.label, exc)
            await self._channels.open(widget)
            self._idle.expect_page(widget.label)
            return True
        previous = channel.widget
        if previous.html != widget.html or previous.title != widget.title:
            update = encode_body(Control.UPDATE_HTML, {"html": widget.html, "title": widget.title})
            channel.replace_content(widget, await self._bus.publish(widget.label, update))
        else:
            channel.widget = widget
        if shown and not channel.pages:
            # Shown again with no page open: a page comes for it.
            self._idle.expect_page(widget.label)
        return False

    async def _close(self, label: str, done: concurrent.futures.Future[Any] | None) -> None:
        channel = self._channels.take(label)
        if channel is None:
            _settle_future(done, None)
            return
        pages = list(channel.pages)
        for page in pages:
            page.say_last(Control.CLOSED, {"reason": "widget closed"})
        await self._channels.forget(label)
        self._idle.widget_closed(label)
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

    # ---------------------------------------------------------------- shutdown
    async def shutdown(self, *, timeout: float) -> None:
        """Tell every page the server is stopping and close them, within ``timeout``.

        The farewell says whether pages should wait for the server to come back.

        The goodbye is a command like the others: it comes after every event queued before.
        """
        told: concurrent.futures.Future[list[PageSession]] = concurrent.futures.Future()
        self._inbox.put(Shutdown(told))
        try:
            pages = await asyncio.wait_for(asyncio.wrap_future(told), max(timeout, 1.0))
        except TimeoutError:  # the queue is stuck (a store or bus that does not answer)
            pages = self._say_farewell()
        farewell = self._farewell
        await asyncio.gather(
            *(
                page.flush_and_close(farewell.code, farewell.reason, timeout=timeout)
                for page in pages
            ),
            return_exceptions=True,
        )

    def page_counts(self) -> dict[str, int]:
        """Open pages per widget of this process."""
        return {label: self._channels.page_count(label) for label in self._channels.labels()}

    def _say_farewell(self) -> list[PageSession]:
        pages = self._channels.pages_of(None)
        for page in pages:
            page.say_last(self._farewell.event, {"reason": self._farewell.reason})
        return pages

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


def _is_emit(command: Command) -> bool:
    return isinstance(command, Emit)


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
