"""Where a page's event is handled: here, or by the worker that showed its widget.

A widget this process showed has its callbacks here. In deploy mode on several workers,
a page may be served by a worker that only read its widget from the store (a route handler
on another worker showed it): that worker hands the event to the one that showed it,
through the relay. One process, or a widget shown here: the callbacks run here.

In deploy mode the relay keeps each page's event that runs here until its callbacks
finish: if this worker dies first, a live worker runs it again (at least once across a
crash; exactly once otherwise).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from ..domain.events import Event
from ..domain.ports import Forwarded, Relay
from .callbacks import CallbackRunner
from .listeners import ErrorReporter, Replier
from .registry import WidgetRegistry

__all__ = ["EventRouter"]

log = logging.getLogger("pywry.callbacks")


class EventRouter:
    """Dispatches a page's events to this process's callbacks or to the relay. On the loop."""

    def __init__(
        self,
        *,
        runner: CallbackRunner,
        registry: WidgetRegistry,
        relay: Relay,
        report: ErrorReporter,
        reply: Replier,
    ) -> None:
        self._runner = runner
        self._registry = registry
        self._relay = relay
        self._report = report
        self._reply = reply
        self._forwarding: set[asyncio.Task[Any]] = set()

    def dispatch(self, event: Event) -> Awaitable[None] | None:
        """Start handling a page's ``event``; an awaitable when it must first be kept in
        the shared state (await it before the page's next event, to keep their order)."""
        if not self._relay.shared:
            self._runner.dispatch(event)
            return None
        if self._registry.shown_here(event.label):
            return self._run_kept(event)
        task = asyncio.get_running_loop().create_task(self._forward(event))
        self._forwarding.add(task)
        task.add_done_callback(self._forwarding.discard)
        return None

    async def _run_kept(self, event: Event) -> None:
        relay = self._relay
        token = await relay.running(event)
        if token is None:
            self._runner.dispatch(event)
        else:
            self._runner.dispatch(event, lambda: relay.finished(token))

    async def _forward(self, event: Event) -> None:
        try:
            forwarded = await self._relay.forward_event(event)
        except Exception as exc:
            log.error("event %r of %r could not be relayed: %s", event.name, event.label, exc)
            forwarded = Forwarded.HERE
        if forwarded is Forwarded.HERE:  # no other worker showed it: whoever listens here
            self._runner.dispatch(event)
        elif forwarded is Forwarded.GONE:
            # Its callbacks died with their worker: say so, never leave the page waiting.
            gone = LookupError(f"the worker that showed widget {event.label!r} is gone")
            if event.call_id is not None:
                self._reply(event, None, gone)
            elif not event.name.startswith("pywry:"):
                self._report(event, gone)
