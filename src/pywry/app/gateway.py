"""The script's side of the hub: every call here is safe from any thread, the loop's too.

What the script asks (show, update, close, emit) is checked here, in the caller's thread,
so a mistake raises where it was made; then it goes to the hub as a command in the inbox,
in order. ``emit`` never waits. ``register`` and ``close`` wait until the hub carried them
out when the app runs and the caller is not on the loop, so that a widget's URL answers
once ``show()`` returns; on the loop (a callback) they return at once, and the hub carries
them out right after, before anything queued later.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any

from ..domain.errors import (
    IllegalTransitionError,
    InvalidArgumentError,
    PyWryTimeoutError,
    ServerError,
    UnknownWidgetError,
)
from ..domain.events import Event, check_event_name
from ..domain.ports import Body, EventLoop, Relay
from ..domain.protocol import Close as CloseCode
from ..domain.protocol import Control
from ..domain.widget import Surround, Widget
from .channels import Channels
from .frames import encode_body
from .hub import Hub
from .idle import IdleWatch
from .inbox import Close, Command, Drop, Emit, Inbox, Register
from .lifecycle import Lifecycle, LifecycleState
from .listeners import CallbackTable, ErrorReporter, Replier
from .registry import WidgetRegistry
from .requests import PageRequests

__all__ = ["Gateway", "reply_to_pages", "report_to_pages"]

_WAIT = 30.0  # seconds a caller waits for the hub before the server counts as stuck


class Gateway:
    """Widgets and events, as the script (and its callbacks) sees them."""

    def __init__(
        self,
        *,
        inbox: Inbox,
        loop: EventLoop,
        lifecycle: Lifecycle,
        registry: WidgetRegistry,
        callbacks: CallbackTable,
        hub: Hub,
        channels: Channels,
        idle: IdleWatch,
        requests: PageRequests,
        relay: Relay,
        encode: Callable[[str, Any], Body] = encode_body,
        surround: Callable[[str, Surround], str] | None = None,
    ) -> None:
        # encode: how an emitted event becomes the body all of its pages share; surround:
        # how new content is laid out inside the toolbars and modals its widget was shown with.
        self._encode = encode
        self._surround = surround
        self._inbox = inbox
        self._requests = requests
        self._relay = relay
        self._loop = loop
        self._lifecycle = lifecycle
        self._registry = registry
        self._callbacks = callbacks
        self._hub = hub
        self._channels = channels
        self._idle = idle

    def register(self, widget: Widget, *, shown: bool = False) -> bool:
        """Show ``widget`` (new, or new content for its label); whether it was new.

        ``shown``: a ``show()`` of it, so a page is expected again even for a label whose
        pages went (``block()`` waits for it); an update of the content expects none.
        """
        self._lifecycle.check_alive()
        new = self._registry.put(widget)
        self._submit(Register(widget, shown, self._waiter()))
        return new

    def update(self, label: str, html: str, title: str | None = None) -> None:
        """Replace a widget's content; its open pages update in place. The toolbars and
        modals it was shown with stay, around the new content."""
        widget = self.widget(label)
        if widget.surround is not None and self._surround is not None:
            html = self._surround(html, widget.surround)
        self.register(widget.revised(html=html, title=title))

    def close(self, label: str) -> None:
        """Forget a widget: tell its pages, and its URL answers 404 from now on."""
        self.widget(label)
        self._registry.remove(label)
        self._callbacks.drop_label(label)
        if not self._lifecycle.over:
            self._submit(Close(label, self._waiter()))

    def emit(self, event_type: str, data: Any = None, label: str | None = None) -> None:
        """Send an event to a widget's pages (every widget's when ``label`` is None)."""
        check_event_name(event_type)
        if label is not None and (type(label) is not str or self._registry.get(label) is None):
            if not isinstance(label, str):
                raise InvalidArgumentError(f"label must be a string, got {type(label).__name__}")
            self.widget(label)  # raises, naming the widgets there are
        body = self._encode(event_type, data)  # data JSON cannot carry raises here, always
        if len(body) > self._channels.max_event_bytes:
            raise InvalidArgumentError(
                f"event {event_type!r} is {len(body)} bytes encoded, more than the replay "
                f"buffer holds (replay_buffer_bytes = {self._channels.max_event_bytes}): a "
                "page that reconnected could not be sent it again; send it in parts, or "
                "raise [server] replay_buffer_bytes"
            )
        refused = self._channels.refusal()
        if refused is not None:
            raise ServerError(refused)
        state = self._lifecycle.state
        if state is LifecycleState.STOPPING:
            return  # a callback finishing while the server stops: its pages are gone
        if state is LifecycleState.STOPPED:
            self._lifecycle.check_alive()  # raises: nothing would ever send it
        if self._loop.in_loop() and self._hub.emit_now(label, body):
            return
        self._inbox.put(Emit(label, body))

    def request(self, label: str | None, event_type: str, data: Any, timeout: float) -> Any:
        """Ask the widget's pages; the first answer (see :mod:`pywry.app.requests`)."""
        if self._loop.in_loop():
            raise IllegalTransitionError(
                "request() waits for a page's answer, which the server's event loop delivers:"
                " called on that loop (an async def callback, or one registered with"
                " sync_to_thread=False) it would wait for ever; use"
                " `await handle.request_async(...)` there"
            )
        label, ident, answer = self._ask(label, event_type, data, timeout)
        try:
            return answer.result(timeout)
        except concurrent.futures.TimeoutError:
            self._requests.forget(ident)
            raise _timed_out(label, event_type, timeout) from None

    async def request_async(
        self, label: str | None, event_type: str, data: Any, timeout: float
    ) -> Any:
        """:meth:`request` for ``async def`` code, on any event loop."""
        label, ident, answer = self._ask(label, event_type, data, timeout)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(answer), timeout)
        except TimeoutError:
            self._requests.forget(ident)
            raise _timed_out(label, event_type, timeout) from None

    def _ask(
        self, label: str | None, event_type: str, data: Any, timeout: float
    ) -> tuple[str, str, concurrent.futures.Future[Any]]:
        check_event_name(event_type)
        if label is None:  # the only widget, or say which there are
            labels = self.labels()
            if len(labels) != 1:
                raise InvalidArgumentError(
                    f"request() needs label= unless exactly one widget is shown (shown: {labels})"
                )
            label = labels[0]
        if isinstance(timeout, bool) or not isinstance(timeout, int | float) or timeout <= 0:
            raise InvalidArgumentError(
                f"timeout must be a number of seconds above 0, not {timeout!r}"
            )
        self.widget(label)
        self._lifecycle.check_alive()
        return (label, *self._requests.ask(label, event_type, data))

    def drop_connections(self, label: str | None = None, *, code: int = CloseCode.RESTART) -> int:
        """Close pages' sockets at once, unannounced: they reconnect and resume.

        A network blip on demand, for tests and benchmarks of reconnects (one widget's
        pages, or every page when ``label`` is None); returns how many were closed.
        """
        if label is not None:
            self.widget(label)
        count = self.page_count(label)
        done = self._waiter()
        self._submit(Drop(label, code, done))
        return count if done is None else int(done.result() or 0)

    def labels(self) -> list[str]:
        """Labels shown here and, in deploy mode, by every worker (oldest first)."""
        local = self._registry.labels()
        if not self._shared():
            return local
        stored: list[str] = self._loop.run(self._registry.store.labels())
        return stored + [label for label in local if label not in stored]

    def has(self, label: str) -> bool:
        if self._registry.get(label) is not None:
            return True
        return self._shared() and self._loop.run(self._registry.fetch(label)) is not None

    def widget(self, label: str) -> Widget:
        """The widget shown under ``label``; :class:`UnknownWidgetError` naming those there are."""
        widget = self._registry.get(label)
        if widget is None and self._can_wait():
            widget = self._loop.run(self._registry.fetch(label))  # shown by another process?
        if widget is None:
            known = ", ".join(repr(name) for name in self._registry.labels()) or "none"
            raise UnknownWidgetError(f"no widget is shown under label {label!r} (shown: {known})")
        return widget

    def page_count(self, label: str | None = None) -> int:
        """Open pages of one widget, or of every widget (of every live worker in deploy
        mode, as they last reported)."""
        if self._shared():
            counts: dict[str, int] = self._loop.run(self._relay.page_counts())
            return sum(counts.values()) if label is None else counts.get(label, 0)
        return self._idle.open_pages if label is None else self._channels.page_count(label)

    def _shared(self) -> bool:
        """Whether to ask the shared state (deploy mode, where waiting for it is safe)."""
        return self._relay.shared and self._can_wait()

    def wait_idle(self, timeout: float | None = None, label: str | None = None) -> bool:
        """Wait until pages came and all of them (or one widget's) have gone for the grace
        period."""
        return self._idle.wait(timeout, label)

    def _can_wait(self) -> bool:
        return self._lifecycle.running and not self._loop.in_loop()

    def _waiter(self) -> concurrent.futures.Future[Any] | None:
        return concurrent.futures.Future() if self._can_wait() else None

    def _submit(self, command: Command) -> None:
        self._inbox.put(command)
        done = getattr(command, "done", None)
        if done is not None:
            try:
                done.result(_WAIT)
            except concurrent.futures.TimeoutError:
                raise ServerError(f"the server did not answer within {_WAIT} s") from None


def _timed_out(label: str, event_type: str, timeout: float) -> PyWryTimeoutError:
    return PyWryTimeoutError(
        f"no page of widget {label!r} answered {event_type!r} within {timeout:g} s"
        " (is a page open, and does it call window.pywry.handle() for that event?)"
    )


def report_to_pages(inbox: Inbox, lifecycle: Lifecycle) -> ErrorReporter:
    """How callback failures reach the widget's pages: as ``pywry:error``, after whatever the
    callback emitted before it failed (the same queue as its emits)."""

    def report(event: Event, exc: BaseException) -> None:
        if lifecycle.running:
            data = {"event": event.name, "error": type(exc).__name__, "message": str(exc)}
            inbox.put(Emit(event.label, encode_body(Control.ERROR, data)))

    return report


def reply_to_pages(inbox: Inbox, lifecycle: Lifecycle) -> Replier:
    """How a page's ``call()`` gets its answer: ``pywry:reply`` to the widget's pages, after
    what the callee emitted (the same queue as its emits). A reply is numbered like any event,
    so a page whose socket dropped gets it by replay; pages that did not ask ignore it.
    """

    def reply(event: Event, value: Any, error: BaseException | None) -> None:
        if not lifecycle.running or event.call_id is None:
            return
        if error is None:
            try:
                body = encode_body(Control.REPLY, {"id": event.call_id, "ok": True, "value": value})
            except InvalidArgumentError:
                error = TypeError(
                    f"the value the callback for {event.name!r} returned, of type"
                    f" {type(value).__name__}, cannot be sent as JSON"
                )
        if error is not None:
            failure = {"type": type(error).__name__, "message": str(error)}
            body = encode_body(Control.REPLY, {"id": event.call_id, "ok": False, "error": failure})
        inbox.put(Emit(event.label, body))

    return reply
