"""pywry's routes (pages, their sockets, the bridge script, the small JSON API) and the app.

:func:`page_router` builds the routes as a Litestar ``Router`` under the routes' base path,
from its arguments only, so two apps in one process never share widgets and the same
routes can be mounted into a user's own Litestar application. :func:`create_app` is browser
mode's whole application: the router, behind the host check and CORS for the API routes.
The one module-level object is a lock that makes builds take turns.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Sequence
from importlib import resources
from typing import Any, cast

import msgspec
from litestar import (
    Litestar,
    MediaType,
    Request,
    Response,
    Router,
    WebSocket,
    get,
    post,
    websocket,
)
from litestar.exceptions import HTTPException
from litestar.params import FromPath
from litestar.types import Guard, Middleware, Scope

from ...app.page_port import PagePort
from ...app.settings import ServerSettings
from ...app.status import ServerStatus
from ...domain.protocol import Routes
from ...domain.token import Token
from ...domain.widget import LABEL_PATTERN
from .asgi import ASGIApp
from .cors import CorsGuard, CorsPolicy
from .hosts import HostGuard
from .page_route import PAGE_HEADERS, PageRoute
from .status import status_handler
from .websocket import RawChannel, serve_page_socket

__all__ = ["allowed_hosts", "build_litestar", "create_app", "page_router"]

log = logging.getLogger("pywry.http")

_BUILDING = threading.Lock()  # process-wide on purpose: it guards Litestar's lazy imports


class _Registration(msgspec.Struct, forbid_unknown_fields=False):
    widget_id: str
    html: str
    title: str | None = None


class _Goodbye(msgspec.Struct, forbid_unknown_fields=False):
    token: str | None = None
    page: str | None = None
    reason: str | None = None


def _bridge_script() -> tuple[bytes, str]:
    # The page's script is written in parts, one concern each, joined in their named order
    # into the one script a page loads (they share one closure: the first opens it).
    folder = resources.files("pywry.adapters.http").joinpath("static/bridge")
    parts = sorted((p for p in folder.iterdir() if p.name.endswith(".js")), key=lambda p: p.name)
    source = b"\n".join(part.read_bytes() for part in parts)
    return source, hashlib.sha256(source).hexdigest()[:12]


def create_app(
    *,
    pages: PagePort,
    settings: ServerSettings,
    internal_token: Token,
    routes: Routes | None = None,
    theme: str = "dark",
    debug: bool = False,
    public_hosts: tuple[str, ...] = (),
    status: ServerStatus | None = None,
) -> HostGuard:
    """Build the ASGI application serving the widgets of ``pages``.

    Outermost is the host check (DNS rebinding), then CORS for the JSON API routes only,
    then Litestar's routes. One build at a time in a process: Litestar imports its optional
    plugins (attrs, pydantic) inside ``Litestar()``, and two first builds in two threads
    (two apps shown at once) could each see the other's half-imported module and fail.

    Raises:
        SettingsError: The CORS settings combine the wildcard origin with credentials.
    """
    routes = routes or Routes(widget_prefix=settings.widget_prefix)
    cors = CorsPolicy(
        origins=settings.cors_origins,
        methods=settings.cors_allow_methods,
        headers=settings.cors_allow_headers,
        credentials=settings.cors_allow_credentials,
    )
    with _BUILDING:
        router = page_router(
            pages=pages,
            settings=settings,
            routes=routes,
            internal_token=internal_token,
            theme=theme,
            debug=debug,
            status=status,
        )
        app = build_litestar(route_handlers=[router], locked=True)
    guarded = CorsGuard(RawChannel(cast("ASGIApp", app)), policy=cors, routes=routes)
    return HostGuard(guarded, allowed=allowed_hosts(settings, public_hosts))


def build_litestar(*, locked: bool = False, **config: Any) -> Litestar:
    """A Litestar app as pywry builds its own: no OpenAPI routes, the logging left alone,
    server errors logged on ``pywry.http``. One build at a time (see :func:`create_app`)."""
    if not locked:
        with _BUILDING:
            return build_litestar(locked=True, **config)
    return Litestar(
        openapi_config=None,
        logging_config=None,
        debug=False,
        after_exception=[_log_exception],
        **config,
    )


def page_router(
    *,
    pages: PagePort,
    settings: ServerSettings,
    routes: Routes,
    internal_token: Token,
    theme: str = "dark",
    debug: bool = False,
    guards: Sequence[Guard] = (),
    middleware: Sequence[Middleware] = (),
    status: ServerStatus | None = None,
) -> Router:
    """pywry's routes under ``routes.base``: widget pages, their sockets, the bridge script,
    ``/health``, ``/register_widget``, ``/disconnect/{label}`` and, given ``status``, the
    status page (``/_pywry/status``).

    ``guards`` and ``middleware`` apply to these routes only (a host app's own guards).
    Paths a page is given start with the request's ``root_path`` (a host mounted under a
    prefix, a proxy), so they work wherever the app is served.
    """
    script, version = _bridge_script()

    api_header = settings.internal_api_header

    def api_allowed(request: Request[Any, Any, Any]) -> bool:
        return internal_token.matches(request.headers.get(api_header))

    def hidden() -> Response[str]:
        # A missing or wrong API token answers as if the route did not exist.
        return Response("Not Found", status_code=404, media_type=MediaType.TEXT)

    page = PageRoute(
        pages=pages,
        routes=routes,
        script_version=version,
        theme=theme,
        debug=debug,
        internal_token=internal_token,
        api_header=api_header if settings.strict_widget_auth else None,
    )

    def page_middleware(app: ASGIApp) -> ASGIApp:
        # A function, not the bound method: Litestar deep-copies a router's handlers (and so
        # their middleware), and the route's state, its token included, must not be copied.
        return page.middleware(app)

    @get(
        routes.page_route, include_in_schema=False, middleware=[cast("Middleware", page_middleware)]
    )
    async def widget_page(request: Request[Any, Any, Any]) -> Response[bytes]:
        # Called only when something is layered on the route (a host app's guards, hooks):
        # then Litestar does for the page all it does for any handler. See page_route.py.
        status, media_type, body = await page.answer(cast("dict[str, Any]", request.scope))
        return Response(body, status_code=status, media_type=media_type, headers=PAGE_HEADERS)

    @get(routes.SCRIPT, include_in_schema=False)
    async def bridge_js() -> Response[bytes]:
        return Response(
            script,
            media_type="text/javascript; charset=utf-8",
            headers={
                "Cache-Control": "public, max-age=31536000, immutable",
                "X-Content-Type-Options": "nosniff",
            },
        )

    @websocket(routes.SOCKET)
    async def page_socket(socket: WebSocket[Any, Any, Any], label: FromPath[str]) -> None:
        await serve_page_socket(socket, label, pages=pages, settings=settings)

    @get(routes.HEALTH, include_in_schema=False)
    async def health(request: Request[Any, Any, Any]) -> Response[Any]:
        if not api_allowed(request):
            return hidden()
        return Response({"status": "ok"})

    @post(routes.REGISTER, include_in_schema=False)
    async def register_widget(request: Request[Any, Any, Any]) -> Response[Any]:
        if not api_allowed(request):
            return hidden()
        try:
            body = msgspec.json.decode(await request.body(), type=_Registration)
        except msgspec.DecodeError as exc:
            return Response(
                {"error": f"expected JSON {{widget_id, html, title?}}: {exc}"}, status_code=400
            )
        if not LABEL_PATTERN.match(body.widget_id):
            return Response({"error": "widget_id must be 1-64 of A-Z a-z 0-9 _ -"}, status_code=400)
        await pages.register(body.widget_id, body.html, body.title)
        base = str(request.base_url).rstrip("/")
        return Response(
            {
                "status": "registered",
                "widget_id": body.widget_id,
                "url": f"{base}{routes.page(body.widget_id)}",
            },
            status_code=200,
        )

    @post(routes.DISCONNECT, include_in_schema=False)
    async def disconnect(request: Request[Any, Any, Any], label: FromPath[str]) -> Response[Any]:
        raw = await request.body()
        try:
            goodbye = msgspec.json.decode(raw, type=_Goodbye) if raw else _Goodbye()
        except msgspec.DecodeError:
            goodbye = _Goodbye()
        reason = goodbye.reason or request.query_params.get("reason") or "page closed"
        accepted = await pages.beacon(
            label,
            token=goodbye.token,
            page_id=goodbye.page,
            reason=reason[:200],
            trusted=api_allowed(request),
        )
        if not accepted:
            return Response({"error": "forbidden"}, status_code=403)
        return Response({"status": "disconnected", "widget_id": label}, status_code=200)

    handlers: list[Any] = [widget_page, bridge_js, page_socket, health, register_widget, disconnect]
    if status is not None:
        handlers.append(
            status_handler(status=status, routes=routes, token_given=api_allowed, hidden=hidden)
        )
    return Router(
        path=routes.base or "/",
        route_handlers=handlers,
        guards=list(guards),
        middleware=list(middleware),
    )


async def _log_exception(exc: Exception, scope: Scope) -> None:
    if isinstance(exc, HTTPException) and exc.status_code < 500:
        return  # a 404 or 400 is an answer, not a server error
    log.error("error while serving %s", scope.get("path"), exc_info=exc)


def allowed_hosts(settings: ServerSettings, public_hosts: tuple[str, ...]) -> frozenset[str] | None:
    if "*" in settings.allowed_hosts:
        return None
    names = {"localhost", "127.0.0.1", "::1", settings.host, *public_hosts, *settings.allowed_hosts}
    return frozenset(name.lower() for name in names if name)
