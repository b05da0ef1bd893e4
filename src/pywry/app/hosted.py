"""The hosted bridge: an app's runtime on the event loop of a server someone else runs.

A Litestar app that embeds widgets (:class:`~pywry.litestar.PyWryPlugin`) and deploy mode's
foreground server both serve pywry this way. pywry starts no server and no thread of its
own: the host's lifespan attaches the runtime to the host's loop at startup and stops it
at shutdown, and until then what the script asks for (``show()`` at import time) is kept
for the start. Pages are told the server is restarting, not stopped, when the host shuts
down: a served app comes back, and its pages reconnect by themselves. (Granian and uvicorn
close open sockets before they run the app's shutdown, so under them the page only sees its
socket close; it reconnects all the same. Deploy mode's own server tells pages first.)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Protocol

from ..domain.errors import IllegalTransitionError
from ..domain.protocol import Routes
from ..domain.token import Token
from .lifecycle import LifecycleState
from .loop import HostLoop
from .page_port import PagePort
from .runtime import Runtime
from .settings import ServerSettings
from .status import ServerStatus

__all__ = ["Hostable", "HostedBridge"]

log = logging.getLogger("pywry.server")

_DEFAULT_GRACE = 2.0  # seconds pages get to receive what is queued, when not configured


class HostedBridge:
    """Starts and stops one app's runtime in a host server's lifespan; builds its URLs."""

    def __init__(
        self,
        *,
        loop: HostLoop,
        runtime: Runtime,
        settings: ServerSettings,
        routes: Routes,
        pages: PagePort,
        internal_token: Token,
        theme: str = "dark",
        debug: bool = False,
        status: ServerStatus | None = None,
    ) -> None:
        self._loop = loop
        self._runtime = runtime
        # What the host's routes are built from.
        self.settings = settings
        self.routes = routes
        self.pages = pages
        self.internal_token = internal_token
        self.theme = theme
        self.debug = debug
        self.status = status
        configured = settings.timeout_graceful_shutdown
        self._grace = _DEFAULT_GRACE if configured is None else configured
        self._stopping: asyncio.Task[None] | None = None
        self._own_origin = ""
        self._when_stopped: list[Callable[[], None]] = []

    def when_stopped(self, hook: Callable[[], None]) -> None:
        """Call ``hook`` once the runtime has stopped (the app is over)."""
        self._when_stopped.append(hook)

    def serve_own(self, origin: str) -> None:
        """pywry's own deploy server serves at ``origin`` (``scheme://host:port``): widget
        URLs are absolute unless ``public_base_url`` says otherwise."""
        self._own_origin = origin

    def url_for(self, label: str) -> str:
        """The widget's page: a path under the routes' base, or an absolute URL on
        ``public_base_url`` when one is configured."""
        origin = self.settings.public_base_url or self._own_origin
        return origin + self.routes.page(label)

    @asynccontextmanager
    async def lifespan(self) -> AsyncIterator[None]:
        """Serve the runtime on the running loop from startup to shutdown."""
        if self._runtime.state is not LifecycleState.NEW:
            raise IllegalTransitionError(
                "this PyWry app was already served by a server that has shut down; an app's"
                " widgets live for one server run: make a new PyWry() (and plugin) for the"
                " next one, as a test does per test client"
            )
        self._loop.attach()
        try:
            await self._runtime.start()
            yield
        finally:
            try:
                await self.stop()
            finally:
                self._loop.detach()

    async def stop(self) -> None:
        """Tell pages the server restarts, let callbacks finish, stop. Idempotent; on the loop."""
        try:
            await self._runtime.stop(grace=self._grace)
        finally:
            self._stopped()

    def _stopped(self) -> None:
        hooks, self._when_stopped = self._when_stopped, []
        for hook in hooks:
            hook()

    def stop_from_thread(self) -> None:
        """``destroy()`` of a hosted app: stop now, from whatever thread asks.

        The host's loop goes on serving its own routes; pywry's answer 404 from then on.
        On the loop itself (a callback, an async route handler) the stop is started and
        this returns at once, since it waits for running callbacks.
        """
        if self._loop.in_loop():
            if self._stopping is None:
                self._stopping = asyncio.get_running_loop().create_task(self.stop())
            return
        if self._loop.running:
            try:
                self._loop.run(self.stop(), timeout=2 * self._grace + 3)
            except Exception:
                log.debug("the hosted runtime did not stop cleanly", exc_info=True)
            else:
                return
        self._runtime.abandon()
        self._stopped()


class Hostable(Protocol):
    """What a host adapter (the Litestar plugin) needs of an app: to be served hosted."""

    def _hosted_by_plugin(self, base_path: str) -> HostedBridge:
        """Serve the app's widgets the hosted way under ``base_path``; raise if it cannot."""
        ...
