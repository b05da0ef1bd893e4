"""The status page, ``/_pywry/status``: for whoever runs the server, not for pages.

It answers a client on the loopback interface whose request came straight to the server,
or any client that sends the internal API token (the header ``/register_widget`` takes,
compared in constant time); anyone else gets the same 404 as an unknown route. A request
that carries a proxy's forwarding header (``Forwarded``, ``X-Forwarded-For``,
``X-Real-IP``) was relayed by a proxy on this machine for someone else, so it needs the
token even though it comes from 127.0.0.1. A host app's guards (the Litestar plugin's
``guards``) run before this check, as on every pywry route.

HTML by default; JSON with ``Accept: application/json`` or ``?format=json``. Widget URLs
are the pages' addresses, which carry no token; tokens are never shown.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from html import escape
from typing import Any

from litestar import MediaType, Request, Response, get
from litestar.handlers import HTTPRouteHandler

from ...app.status import ServerStatus, StatusReport
from ...domain.protocol import Routes

__all__ = ["is_local_client", "status_handler", "wants_json"]

_FORWARDING = (b"forwarded", b"x-forwarded-for", b"x-real-ip", b"x-forwarded-host")
_HEADERS = {
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'",
}


def is_local_client(scope: Any) -> bool:
    """Whether the request came from this machine's loopback, and not through a proxy."""
    client = scope.get("client")
    if not client:
        return False  # a Unix socket, or a server that does not say: not known to be local
    try:
        address = ipaddress.ip_address(str(client[0]).split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)
    if not (address.is_loopback or (mapped is not None and mapped.is_loopback)):
        return False
    headers = scope.get("headers") or ()
    return not any(name.lower() in _FORWARDING for name, _value in headers)


def wants_json(request: Request[Any, Any, Any]) -> bool:
    """``?format=json``, or an ``Accept`` that asks for JSON rather than HTML."""
    wanted = str(request.query_params.get("format", ""))
    if wanted in ("json", "html"):
        return wanted == "json"
    accept = request.headers.get("accept", "")
    return bool("application/json" in accept and "text/html" not in accept)


def _as_json(report: StatusReport, url: Callable[[str], str]) -> dict[str, Any]:
    p = report.process
    return {
        "process": {
            "mode": p.mode,
            "version": p.version,
            "state": p.state,
            "pid": p.pid,
            "uptime_seconds": p.uptime_seconds,
            "rss_bytes": p.rss_bytes,
            "threads": p.threads,
            "events_received": p.events_received,
            "widgets": len(report.widgets),
            "pages": report.pages,
        },
        "widgets": [
            {
                "label": w.label,
                "title": w.title,
                "url": url(w.label),
                "pages": w.pages,
                "events": w.events,
            }
            for w in report.widgets
        ],
    }


def _as_html(data: dict[str, Any]) -> str:
    p = data["process"]
    rss = "unknown" if p["rss_bytes"] is None else f"{p['rss_bytes'] / 1048576:.1f} MiB"
    facts = [
        ("mode", p["mode"]),
        ("version", p["version"]),
        ("state", p["state"]),
        ("pid", p["pid"]),
        ("uptime", f"{p['uptime_seconds']:.0f} s"),
        ("memory (RSS)", rss),
        ("threads", p["threads"]),
        ("widgets", p["widgets"]),
        ("pages open", p["pages"]),
        ("events received", p["events_received"]),
    ]
    rows = (
        "".join(
            f'<tr><td><a href="{escape(w["url"])}">{escape(w["label"])}</a></td>'
            f"<td>{escape(w['title'])}</td><td>{w['pages']}</td><td>{w['events']}</td></tr>"
            for w in data["widgets"]
        )
        or '<tr><td colspan="4">no widgets</td></tr>'
    )
    dl = "".join(f"<dt>{escape(k)}</dt><dd>{escape(str(v))}</dd>" for k, v in facts)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta http-equiv="refresh" content="5"><title>pywry status</title><style>'
        "body{font:14px system-ui,sans-serif;margin:2em}dl{display:grid;"
        "grid-template-columns:max-content auto;gap:.2em 1em}dt{color:#666}"
        "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em}"
        "</style></head><body><h1>pywry status</h1>"
        f"<dl>{dl}</dl><h2>Widgets</h2><table><tr><th>label</th><th>title</th>"
        f"<th>pages open</th><th>events</th></tr>{rows}</table></body></html>"
    )


def status_handler(
    *,
    status: ServerStatus,
    routes: Routes,
    token_given: Callable[[Request[Any, Any, Any]], bool],
    hidden: Callable[[], Response[str]],
) -> HTTPRouteHandler:
    """The status route; ``token_given`` is the API token's constant-time check."""

    @get(routes.STATUS, include_in_schema=False)
    async def status_page(request: Request[Any, Any, Any]) -> Response[Any]:
        if not (is_local_client(request.scope) or token_given(request)):
            return hidden()
        base = str(request.base_url).rstrip("/")
        data = _as_json(status.report(), lambda label: f"{base}{routes.page(label)}")
        if wants_json(request):
            return Response(data, headers=_HEADERS)
        return Response(_as_html(data), media_type=MediaType.HTML, headers=_HEADERS)

    return status_page
