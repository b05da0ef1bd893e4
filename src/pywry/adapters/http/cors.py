"""CORS for the JSON API routes only, never for widget pages, the bridge script or sockets.

A widget page holds its widget's token, so a page from another origin must never be able to
read it: no route but the small JSON API (``/health``, ``/register_widget``,
``/disconnect/{label}``) ever sends an ``Access-Control-*`` header. Litestar's own CORS
setting applies to every route of an app, hence this small ASGI wrapper with a path filter.
"""

from __future__ import annotations

from collections.abc import Iterable

from ...app.settings import CORS_CONFLICT, cors_conflict
from ...domain.errors import SettingsError
from ...domain.protocol import Routes
from .asgi import ASGIApp, Message, Receive, Scope, Send, plain_response
from .asgi import header as _header

__all__ = ["CorsGuard", "CorsPolicy"]

_WILDCARD = "*"
_MAX_AGE = b"600"


class CorsPolicy:
    """Which cross-origin callers may read the JSON API, and with what.

    Args:
        origins: Allowed origins (``"*"``: any origin).
        methods: Allowed methods (``"*"``: any; the requested one is echoed back).
        headers: Allowed request headers (``"*"``: any; the requested ones are echoed).
        credentials: Whether cookies and HTTP auth may be sent along.

    Raises:
        SettingsError: ``"*"`` among the origins together with credentials, which browsers
            refuse (the CORS specification forbids it).
    """

    __slots__ = (
        "_any_header",
        "_any_method",
        "_any_origin",
        "credentials",
        "headers",
        "methods",
        "origins",
    )

    def __init__(
        self,
        *,
        origins: Iterable[str],
        methods: Iterable[str],
        headers: Iterable[str],
        credentials: bool,
    ) -> None:
        self.origins = frozenset(o.strip().rstrip("/") for o in origins if o.strip())
        self.methods = frozenset(m.strip().upper() for m in methods if m.strip())
        self.headers = frozenset(h.strip().lower() for h in headers if h.strip())
        self.credentials = credentials
        self._any_origin = _WILDCARD in self.origins
        self._any_method = _WILDCARD in self.methods
        self._any_header = _WILDCARD in self.headers
        if cors_conflict(self.origins, credentials):
            raise SettingsError(
                "server.cors_origins = ['*'] cannot be combined with"
                f" server.cors_allow_credentials = true: {CORS_CONFLICT}"
            )

    def origin_allowed(self, origin: str) -> bool:
        return self._any_origin or origin in self.origins

    def allow_origin_value(self, origin: str) -> bytes:
        # Echo the caller's origin unless the answer is the same for everyone.
        if self._any_origin and not self.credentials:
            return b"*"
        return origin.encode("latin-1")

    def method_allowed(self, method: str) -> bool:
        return self._any_method or method.upper() in self.methods

    def headers_allowed(self, requested: list[str]) -> bool:
        return self._any_header or all(name in self.headers for name in requested)

    def base_headers(self, origin: str) -> list[tuple[bytes, bytes]]:
        """The headers every allowed cross-origin answer carries."""
        out = [(b"access-control-allow-origin", self.allow_origin_value(origin))]
        if self.credentials:
            out.append((b"access-control-allow-credentials", b"true"))
        if not (self._any_origin and not self.credentials):
            out.append((b"vary", b"Origin"))
        return out

    def preflight_headers(
        self, origin: str, method: str, requested: list[str]
    ) -> list[tuple[bytes, bytes]]:
        """The headers of a successful preflight answer."""
        methods = method.upper() if self._any_method else ", ".join(sorted(self.methods))
        out = [*self.base_headers(origin), (b"access-control-allow-methods", methods.encode())]
        allowed = requested if self._any_header else sorted(self.headers)
        if allowed:
            out.append((b"access-control-allow-headers", ", ".join(allowed).encode("latin-1")))
        out.append((b"access-control-max-age", _MAX_AGE))
        return out


def _own_path(scope: Scope) -> str:
    # Under a root path (a mounted app, a proxy's prefix) the routes start after it.
    path: str = scope["path"]
    root: str = scope.get("root_path") or ""
    return path[len(root) :] if root and path.startswith(root + "/") else path


class CorsGuard:
    """An ASGI wrapper adding CORS answers to the JSON API routes, and only to them."""

    def __init__(self, app: ASGIApp, *, policy: CorsPolicy, routes: Routes | None = None) -> None:
        self.app = app
        self._policy = policy
        self._routes = routes or Routes()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not self._routes.is_api(_own_path(scope)):
            await self.app(scope, receive, send)
            return
        origin = _header(scope, b"origin")
        if origin is None:
            await self.app(scope, receive, send)
            return
        requested_method = _header(scope, b"access-control-request-method")
        if scope["method"] == "OPTIONS" and requested_method is not None:
            await self._preflight(send, origin, requested_method, scope)
            return
        if not self._policy.origin_allowed(origin):
            await self.app(scope, receive, send)  # answered, but unreadable by that origin
            return
        extra = self._policy.base_headers(origin)

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [
                    (k, v)
                    for k, v in message.get("headers", [])
                    if not k.lower().startswith(b"access-control-")
                ]
                message = {**message, "headers": [*headers, *extra]}
            await send(message)

        await self.app(scope, receive, send_with_cors)

    async def _preflight(self, send: Send, origin: str, method: str, scope: Scope) -> None:
        raw = _header(scope, b"access-control-request-headers") or ""
        requested = [name.strip().lower() for name in raw.split(",") if name.strip()]
        policy = self._policy
        if not policy.origin_allowed(origin):
            await plain_response(send, 400, b"CORS preflight refused: origin not allowed\n")
        elif not policy.method_allowed(method):
            await plain_response(send, 400, b"CORS preflight refused: method not allowed\n")
        elif not policy.headers_allowed(requested):
            await plain_response(send, 400, b"CORS preflight refused: header not allowed\n")
        else:
            headers = policy.preflight_headers(origin, method, requested)
            await send(
                {
                    "type": "http.response.start",
                    "status": 204,
                    "headers": [*headers, (b"content-length", b"0")],
                }
            )
            await send({"type": "http.response.body", "body": b""})
