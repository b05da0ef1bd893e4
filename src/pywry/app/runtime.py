"""The running parts of one app, started and stopped on its event loop by whoever serves it.

Browser mode's server starts the runtime on its own loop thread and serves it with
Granian; a host server (a Litestar app) starts it in its lifespan, on its own loop. Either
way the same sequence runs, in the order the guarantees need:

start: the event bus connects (and the relay, in deploy mode), then the hub carries out
what the script queued so far and takes commands from then on.

stop: no new pages; every page is told the server stops and gets what was emitted before
that (within the grace period); callbacks already taken finish (the pages were told their
events were handled and will not send them again); the hub stops taking commands; the
bus disconnects; ``block()`` returns and emits raise from then on.
"""

from __future__ import annotations

import logging

from ..domain.ports import EventBus, Relay
from .callbacks import CallbackRunner
from .hub import Hub
from .idle import IdleWatch
from .lifecycle import Lifecycle, LifecycleState
from .requests import PageRequests

__all__ = ["Runtime"]

log = logging.getLogger("pywry.server")


class Runtime:
    """Event bus, hub and callbacks of one app, and the order they start and stop in."""

    def __init__(
        self,
        *,
        lifecycle: Lifecycle,
        bus: EventBus,
        hub: Hub,
        runner: CallbackRunner,
        idle: IdleWatch,
        requests: PageRequests,
        relay: Relay,
    ) -> None:
        self._requests = requests
        self._relay = relay
        self._lifecycle = lifecycle
        self._bus = bus
        self._hub = hub
        self._runner = runner
        self._idle = idle

    @property
    def state(self) -> LifecycleState:
        return self._lifecycle.state

    async def start(self) -> None:
        """Start; idempotent. Call on the loop the pages will be served on."""
        if self._lifecycle.state is not LifecycleState.NEW:
            self._lifecycle.check_alive()
            return
        await self._bus.start()
        await self._relay.start(
            on_event=self._runner.dispatch,
            on_response=self._requests.answered_elsewhere,
            local_pages=self._hub.page_counts,
        )
        self._lifecycle.move_to(LifecycleState.RUNNING)
        await self._hub.start()

    async def stop(self, *, grace: float) -> None:
        """Stop (see the module's docstring); pages and callbacks get ``grace`` seconds each.

        Idempotent; a runtime that never started just ends.
        """
        state = self._lifecycle.state
        if state is LifecycleState.NEW:
            self.abandon()
            return
        if state is not LifecycleState.RUNNING:
            return
        self._lifecycle.move_to(LifecycleState.STOPPING)
        self._requests.stop()  # no page will answer: the script's questions fail now
        try:
            await self._hub.shutdown(timeout=grace)
            dropped = await self._runner.drain(grace)
            if dropped:
                log.warning(
                    "%d callback call(s) had not run when the server stopped (after %.1f s); "
                    "raise timeout_graceful_shutdown to give callbacks more time",
                    dropped,
                    grace,
                )
            await self._hub.close()
            await self._relay.stop()
            await self._bus.stop()
        finally:
            self._lifecycle.move_to(LifecycleState.STOPPED)
            self._idle.release()

    def abandon(self) -> None:
        """End a runtime that never started, or whose loop is gone: from any thread."""
        self._lifecycle.move_to(LifecycleState.STOPPED)
        self._runner.shutdown(wait=False)
        self._idle.release()
