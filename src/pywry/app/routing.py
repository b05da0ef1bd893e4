"""Where a page's event is handled: here, or by the worker that showed its widget.

A widget this process showed has its callbacks here. In deploy mode on several workers,
a page may be served by a worker that only read its widget from the store (a route handler
on another worker showed it): that worker hands the event to the one that showed it,
through the relay. One process, or a widget shown here: the callbacks run here.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from ..domain.events import Event
from ..domain.ports import Relay
from .callbacks import CallbackRunner
from .registry import WidgetRegistry

__all__ = ["EventRouter"]

log = logging.getLogger("pywry.callbacks")


class EventRouter:
    """Dispatches a page's events to this process's callbacks or to the relay. On the loop."""

    def __init__(self, *, runner: CallbackRunner, registry: WidgetRegistry, relay: Relay) -> None:
        self._runner = runner
        self._registry = registry
        self._relay = relay
        self._forwarding: set[asyncio.Task[Any]] = set()

    def dispatch(self, event: Event) -> None:
        if not self._relay.shared or self._registry.shown_here(event.label):
            self._runner.dispatch(event)
            return
        task = asyncio.get_running_loop().create_task(self._forward(event))
        self._forwarding.add(task)
        task.add_done_callback(self._forwarding.discard)

    async def _forward(self, event: Event) -> None:
        try:
            forwarded = await self._relay.forward_event(event)
        except Exception as exc:
            log.error(
                "event %r of widget %r could not be relayed: %s", event.name, event.label, exc
            )
            forwarded = False
        if not forwarded:  # no other worker showed it: whatever listens here hears it
            self._runner.dispatch(event)
