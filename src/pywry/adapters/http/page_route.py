"""The widget page's route (``GET {widget_prefix}/{label}``), kept cheap: every visitor pays it.

The route is an ordinary Litestar handler, so Litestar routes to it (its path parameter,
the trailing slash, ``OPTIONS`` and the 405 for other methods are Litestar's) and everything
wrapping pywry's routes wraps it: the host check, a host app's middleware and exception
handlers. But when nothing else is layered on it (no guards, no request or response hooks,
no extra response headers or cookies: pywry's own apps, in browser and deploy mode), a
middleware of the handler answers by itself and the handler is never called. Litestar's
per-request work for a handler (a ``Request``, the signature model, the ``Response`` turned
into messages and its header bookkeeping) was most of a page request's CPU. A route with
guards (a host app's, ``PyWryPlugin(guards=...)``) goes through the handler, guards and all.

Either way the answer is the same, from :meth:`PageRoute.answer`: ``strict_widget_auth``
checked, the widget looked up (a closed widget answers 404 at once), the page's bytes taken
from :class:`RenderedPages` (rendered again only when something the page shows changed),
and the no-store and security headers on every answer.
"""

from __future__ import annotations

import functools
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import replace

from litestar.handlers import HTTPRouteHandler

from ...app.page_port import PagePort, RenderedPage
from ...domain.protocol import Routes
from ...domain.token import Token
from ...domain.widget import LABEL_PATTERN
from .asgi import ASGIApp, Receive, Scope, Send, header
from .page import render_not_found, render_page

__all__ = ["PAGE_HEADERS", "PageRoute", "RenderedPages"]

# A page holds its widget's token: never stored by a cache, never sniffed as another type,
# never named in a Referer.
PAGE_HEADERS = {
    "Cache-Control": "no-store, no-cache, must-revalidate, max-age=0",
    "Pragma": "no-cache",
    "Expires": "0",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
}
_HEADERS = tuple((name.lower().encode(), value.encode()) for name, value in PAGE_HEADERS.items())
_HTML, _TEXT = "text/html", "text/plain"
# As Litestar's Response writes them, so the two ways of answering send the same.
_CONTENT_TYPES = {media: f"{media}; charset=utf-8".encode() for media in (_HTML, _TEXT)}
_KEPT = 256  # widgets whose page bytes are kept; past that, the least recently served go


class RenderedPages:
    """Each widget's page as last rendered, reused while what it was rendered from is equal.

    A page is rendered from a :class:`RenderedPage` (the widget, which is immutable, and the
    event numbers the page starts from) and the routes it is served under. An update, a new
    token, an event published or another root path makes a different key, and the page is
    rendered again. ``render`` must depend on nothing else (what else it reads is fixed for
    the route). One page per widget at most, for the :data:`_KEPT` widgets served last.
    """

    __slots__ = ("_last", "_render")

    def __init__(self, render: Callable[[RenderedPage, Routes], str]) -> None:
        self._render = render
        self._last: OrderedDict[str, tuple[RenderedPage, Routes, bytes]] = OrderedDict()

    def body(self, page: RenderedPage, routes: Routes) -> bytes:
        label = page.widget.label
        last = self._last.get(label)
        if last is not None and last[0] == page and last[1] == routes:
            self._last.move_to_end(label)
            return last[2]
        body = self._render(page, routes).encode()
        self._last[label] = (page, routes, body)
        self._last.move_to_end(label)
        if len(self._last) > _KEPT:
            self._last.popitem(last=False)
        return body

    def forget(self, label: str) -> None:
        """Drop ``label``'s page (its widget is gone): its token is not kept any longer."""
        self._last.pop(label, None)


class PageRoute:
    """What the widget page route answers (:meth:`answer`), and the middleware that sends
    it without the handler when the route is bare (:meth:`middleware`)."""

    def __init__(
        self,
        *,
        pages: PagePort,
        routes: Routes,
        script_version: str,
        theme: str,
        debug: bool,
        internal_token: Token,
        api_header: str | None,
    ) -> None:
        """``api_header``: the header a request must carry the internal token in
        (``strict_widget_auth``), or None when pages are served to anyone."""
        self._pages = pages
        self._routes = routes
        self._version = script_version
        self._theme = theme
        self._debug = debug
        self._internal_token = internal_token
        self._api_header = api_header.lower().encode() if api_header else None
        self._rendered = RenderedPages(self._render)
        # One root path per way the host is reached (a mount, a proxy's prefix): a few.
        self._routes_at = functools.lru_cache(maxsize=8)(self._routes_under)
        self._bare: tuple[object, bool] = (None, False)  # the handler last checked, and if bare

    async def answer(self, scope: Scope) -> tuple[int, str, bytes]:
        """Status, media type and body of the answer to a GET of a widget's page."""
        label: str = scope["path_params"]["label"]
        if self._api_header is not None and not self._internal_token.matches(
            header(scope, self._api_header)
        ):
            # A proxy or a notebook front end adds the header; a tab cannot. A missing or
            # wrong token answers as if the route did not exist.
            return 404, _TEXT, b"Not Found"
        rendered = await self._pages.page(label) if LABEL_PATTERN.match(label) else None
        if rendered is None:
            self._rendered.forget(label)
            return 404, _HTML, render_not_found(label).encode()
        return (
            200,
            _HTML,
            self._rendered.body(rendered, self._routes_at(scope.get("root_path") or "")),
        )

    def middleware(self, app: ASGIApp) -> ASGIApp:
        """The route handler's middleware: the answer sent at once when the route is bare."""

        async def page_route(scope: Scope, receive: Receive, send: Send) -> None:
            if not self._is_bare(scope["route_handler"]):
                await app(scope, receive, send)
                return
            status, media_type, body = await self.answer(scope)
            headers = [*_HEADERS, (b"content-type", _CONTENT_TYPES[media_type])]
            headers.append((b"content-length", str(len(body)).encode()))
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        return page_route

    def _is_bare(self, handler: HTTPRouteHandler) -> bool:
        checked, bare = self._bare
        if handler is not checked:  # what is layered on a handler is fixed once it is routed
            bare = not (
                handler.resolve_guards()
                or handler.resolve_before_request()
                or handler.resolve_after_response()
                or any(layer.after_request for layer in handler.ownership_layers)
                or handler.resolve_response_headers()
                or handler.resolve_response_cookies()
            )
            self._bare = (handler, bare)
        return bare

    def _routes_under(self, root_path: str) -> Routes:
        """The routes as a page reached under ``root_path`` sees them."""
        root = root_path.rstrip("/")
        return replace(self._routes, base=root + self._routes.base) if root else self._routes

    def _render(self, page: RenderedPage, routes: Routes) -> str:
        return render_page(
            page.widget,
            since=page.since,
            content_seq=page.content_seq,
            epoch=page.epoch,
            routes=routes,
            script_src=f"{routes.script}?v={self._version}",
            theme=self._theme,
            debug=self._debug,
        )
