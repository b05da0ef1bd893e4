"""The Litestar plugin: a ``PyWry`` app's widgets served by a Litestar app someone runs.

``on_app_init`` adds one ``Router`` with pywry's routes under the plugin's path, and the
hosted bridge's lifespan. Everything pywry needs (the host check, CORS for the JSON API,
the socket's raw channel) is middleware of that router, never of the host app, so the host's
own middleware, guards, exception handlers and logging wrap pywry's routes untouched.
"""

from __future__ import annotations

import re
import socket
from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

from litestar import Litestar, Router
from litestar.config.app import AppConfig
from litestar.controller import Controller
from litestar.handlers import BaseRouteHandler
from litestar.plugins import InitPlugin
from litestar.types import Guard, Middleware

from ...domain.errors import InvalidArgumentError
from ...domain.protocol import Routes
from .app import allowed_hosts, build_litestar, page_router
from .asgi import ASGIApp
from .cors import CorsGuard, CorsPolicy
from .hosts import HostGuard
from .websocket import RawChannel

if TYPE_CHECKING:
    from ...app.hosted import Hostable, HostedBridge

__all__ = ["PyWryPlugin", "check_path", "deploy_app"]

_PATH = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)*")


def check_path(path: str) -> str:
    """The base path pywry's routes live under, normalised (``"/"`` is the root, ``""``)."""
    if not isinstance(path, str):
        raise InvalidArgumentError(f"PyWryPlugin takes path as a string, got {type(path).__name__}")
    base = "" if path == "/" else path
    if _PATH.fullmatch(base):
        return base
    fixed = "/" + path.strip().strip("/")
    hint = f"; did you mean {fixed!r}?" if _PATH.fullmatch(fixed) else ""
    raise InvalidArgumentError(
        f"PyWryPlugin path {path!r} is not a URL path: it starts with '/', has no trailing '/'"
        f" and uses only letters, digits and '-', '_', '.', '~' (like '/apps'){hint}"
    )


class PyWryPlugin(InitPlugin):
    """Serve ``widgets`` from the Litestar app this plugin is given to.

    Args:
        widgets: The app whose widgets to serve. From now on its ``show()`` starts no server
            and opens no browser; the Litestar app's lifespan starts and stops it.
        path: Where pywry's routes live in the host app (``"/apps"``: pages at
            ``/apps/widget/<label>``).
        guards: Litestar guards put on every pywry route, the WebSocket handshake included.

    Raises:
        InvalidArgumentError: ``path`` is not a URL path, or ``widgets`` already has a plugin
            or a server of its own.
    """

    def __init__(
        self, widgets: Hostable, *, path: str = "/pywry", guards: Sequence[Guard] = ()
    ) -> None:
        self.path = check_path(path)
        if not hasattr(widgets, "_hosted_by_plugin"):
            raise InvalidArgumentError(
                f"PyWryPlugin takes a PyWry app, got {type(widgets).__name__}"
            )
        self.widgets = widgets
        self._guards = list(guards)
        self._bridge: HostedBridge = widgets._hosted_by_plugin(self.path)

    def on_app_init(self, app_config: AppConfig) -> AppConfig:
        _check_no_clash(self.path, self._bridge.routes, app_config.route_handlers)
        bridge = self._bridge
        settings = bridge.settings
        cors = CorsPolicy(
            origins=settings.cors_origins,
            methods=settings.cors_allow_methods,
            headers=settings.cors_allow_headers,
            credentials=settings.cors_allow_credentials,
        )
        public = urlsplit(settings.public_base_url or "").hostname
        hosts = allowed_hosts(settings, (socket.gethostname(), *((public,) if public else ())))
        routes = bridge.routes

        def guarded(app: ASGIApp) -> ASGIApp:
            return HostGuard(CorsGuard(RawChannel(app), policy=cors, routes=routes), allowed=hosts)

        middleware = [cast("Middleware", guarded)]
        app_config.route_handlers.append(
            page_router(
                pages=bridge.pages,
                settings=settings,
                routes=routes,
                internal_token=bridge.internal_token,
                theme=bridge.theme,
                debug=bridge.debug,
                guards=self._guards,
                middleware=middleware,
                status=bridge.status,
            )
        )
        app_config.lifespan.append(self._lifespan)
        return app_config

    def _lifespan(self, _app: Litestar) -> AbstractAsyncContextManager[None]:
        return self._bridge.lifespan()

    def __repr__(self) -> str:
        return f"PyWryPlugin(path={self.path or '/'!r})"


def deploy_app(widgets: Hostable) -> Litestar:
    """Deploy mode's server: a Litestar app of pywry's own with the plugin at its root."""
    return build_litestar(plugins=[PyWryPlugin(widgets, path="")])


def _check_no_clash(base: str, routes: Routes, handlers: Iterable[Any]) -> None:
    """Refuse a host route that pywry's routes would shadow or be shadowed by."""
    own = {
        routes.page_route,
        Routes.SOCKET,
        Routes.SCRIPT,
        Routes.HEALTH,
        Routes.REGISTER,
        Routes.DISCONNECT,
        Routes.STATUS,
    }
    own_paths = {_shape(base + path) for path in own}
    for path in _paths_of(handlers):
        shaped = _shape(path)
        under = bool(base) and (shaped == base or shaped.startswith(base + "/"))
        if under or shaped in own_paths:
            raise InvalidArgumentError(
                f"PyWryPlugin path {base or '/'!r} clashes with the app's route {path!r}:"
                " give the plugin a path no route of the app uses, like path='/pywry'"
            )


def _paths_of(handlers: Iterable[Any]) -> Iterator[str]:
    for handler in handlers:
        if isinstance(handler, Router):
            yield from (str(route.path) for route in handler.routes)
        elif isinstance(handler, type) and issubclass(handler, Controller):
            yield str(getattr(handler, "path", "/"))
        elif isinstance(handler, BaseRouteHandler):
            yield from handler.paths


def _shape(path: str) -> str:
    """A path with its parameters' names dropped: ``/a/{x:str}`` and ``/a/{y:int}`` meet."""
    cleaned = re.sub(r"\{[^}]*\}", "{}", path).rstrip("/")
    return cleaned if cleaned.startswith("/") else "/" + cleaned
