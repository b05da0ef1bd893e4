"""The status page (``/_pywry/status``): under the real Granian server with real clients, and
under a host app's guards through Litestar's test client."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.testing import TestClient

from conftest import run_async
from pywry import PyWry, WindowMode, __version__
from pywry.adapters.http.status import is_local_client
from pywry.litestar import PyWryPlugin
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

pytestmark = pytest.mark.server


def status_url(handle: Any) -> str:
    parts = urlsplit(handle.url)
    return f"{parts.scheme}://{parts.netloc}/_pywry/status"


def status_json(handle: Any, **headers: str) -> dict[str, Any]:
    response = httpx.get(status_url(handle), params={"format": "json"}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def until(condition: Callable[[], bool], timeout: float = 5.0) -> None:
    """Wait for ``condition`` (a page's socket is let go on the server's loop)."""
    deadline = time.monotonic() + timeout
    pause = threading.Event()
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        pause.wait(0.02)


def test_a_loopback_client_gets_the_widgets_and_the_process_figures(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="sales", title="Sales <Q1>")
    app.show("<p>y</p>", label="costs")
    data = status_json(handle)
    process = data["process"]
    assert process["mode"] == "browser"
    assert process["version"] == __version__
    assert process["state"] == "running"
    assert process["pid"] > 0
    assert process["uptime_seconds"] >= 0
    assert process["rss_bytes"] > 1_000_000  # Linux says
    assert process["threads"] >= 2
    assert (process["widgets"], process["pages"], process["events_received"]) == (2, 0, 0)
    assert data["widgets"] == [
        {"label": "sales", "title": "Sales <Q1>", "url": handle.url, "pages": 0, "events": 0},
        {
            "label": "costs",
            "title": "PyWry",
            "url": app.get_widget_url("costs"),
            "pages": 0,
            "events": 0,
        },
    ]


def test_the_html_page_escapes_and_never_shows_a_token(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="sales", title="Sales <Q1>")
    response = httpx.get(status_url(handle), headers={"Accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"
    text = response.text
    assert f'<a href="{handle.url}">sales</a>' in text
    assert "Sales &lt;Q1&gt;" in text
    widget_token = app.container.gateway().widget("sales").token.reveal()
    api_token = app.container.internal_token().reveal()
    as_json = httpx.get(status_url(handle), headers={"Accept": "application/json"})
    assert as_json.headers["content-type"].startswith("application/json")
    for body in (text, as_json.text):
        assert widget_token not in body
        assert api_token not in body


def test_a_proxied_request_needs_the_api_token_compared_exactly(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="w")
    token = app.container.internal_token().reveal()
    for forwarded in ({"X-Forwarded-For": "203.0.113.9"}, {"Forwarded": "for=203.0.113.9"}):
        refused = httpx.get(status_url(handle), headers=forwarded)
        assert refused.status_code == 404  # as if there were no such route
        assert "pywry" not in refused.text
        wrong = httpx.get(status_url(handle), headers={**forwarded, "X-PyWry-Token": token + "x"})
        assert wrong.status_code == 404
        allowed = status_json(handle, **forwarded, **{"X-PyWry-Token": token})
        assert allowed["widgets"][0]["label"] == "w"


def test_the_counts_follow_a_page_that_connects_sends_and_leaves(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="w", callbacks={"app:ping": lambda data: None})
    token = app.container.gateway().widget("w").token.reveal()
    handle.emit("app:news", 1)
    handle.emit("app:news", 2)
    socket = urlsplit(handle.url)._replace(scheme="ws", path="/ws/w", query="page=tab").geturl()

    async def visit() -> None:
        protocols = ["pywry.v1", f"pywry.token.{token}"]
        async with websockets.connect(socket, subprotocols=protocols, open_timeout=5) as ws:
            hello = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert hello["type"] == "pywry:hello"
            data = await asyncio.to_thread(status_json, handle)
            assert (data["process"]["pages"], data["widgets"][0]["pages"]) == (1, 1)
            assert data["widgets"][0]["events"] == 2
            await ws.send(json.dumps({"type": "app:ping", "data": 1, "seq": 1, "widgetId": "w"}))
            ack = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert "pywry:ack" in json.dumps(ack)  # handled, so counted

    run_async(visit())
    until(lambda: status_json(handle)["widgets"][0]["pages"] == 0)
    assert status_json(handle)["process"]["events_received"] == 1


@pytest.mark.parametrize(
    ("client", "headers", "local"),
    [
        (("127.0.0.1", 5000), [], True),
        (("127.8.9.1", 5000), [], True),
        (("::1", 5000), [], True),
        (("::ffff:127.0.0.1", 5000), [], True),
        (("10.0.0.5", 5000), [], False),
        (("192.168.1.20", 5000), [], False),
        (("2001:db8::1", 5000), [], False),
        (("testclient", 50000), [], False),
        (None, [], False),
        (("127.0.0.1", 5000), [(b"x-forwarded-for", b"203.0.113.9")], False),
        (("127.0.0.1", 5000), [(b"X-Real-IP", b"203.0.113.9")], False),
        (("127.0.0.1", 5000), [(b"forwarded", b"for=203.0.113.9")], False),
    ],
)
def test_only_a_direct_loopback_client_counts_as_local(client, headers, local):
    assert is_local_client({"type": "http", "client": client, "headers": headers}) is local


# ----------------------------------------------------------------- behind a host app's guards


def logged_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.cookies.get("user") != "ada":
        raise NotAuthorizedException("log in first")


def test_the_plugins_status_page_honours_the_hosts_guards_and_the_token():
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"reconnect_grace": 0.2}})
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    try:
        plugin = PyWryPlugin(app, path="/apps", guards=[logged_in])
        app.show("<p>x</p>", label="w")
        token = {"X-PyWry-Token": app.container.internal_token().reveal()}
        # The test client's address is not loopback: without the token it is refused.
        with TestClient(Litestar(plugins=[plugin]), base_url="http://127.0.0.1:8000") as c:
            assert c.get("/apps/_pywry/status", headers=token).status_code == 401  # the guard
            c.cookies.set("user", "ada")
            assert c.get("/apps/_pywry/status").status_code == 404
            data = c.get("/apps/_pywry/status?format=json", headers=token).json()
        assert data["process"]["mode"] == "hosted"
        assert data["widgets"][0]["url"] == "http://127.0.0.1:8000/apps/widget/w"
    finally:
        app.destroy()


def test_deploy_modes_own_app_serves_the_status_page_with_a_configured_token():
    token = "an-operators-token-of-enough-length"
    widgets = PyWry(settings={"deploy": {"enabled": True}, "server": {"internal_api_token": token}})
    server = widgets.get_server_app()
    widgets.show("<h1>Dashboard</h1>", label="dashboard")
    with TestClient(server, base_url="http://127.0.0.1:8000") as c:
        assert c.get("/_pywry/status").status_code == 404  # the test client is not loopback
        data = c.get(
            "/_pywry/status", headers={"X-PyWry-Token": token, "Accept": "application/json"}
        )
    assert data.json()["process"]["mode"] == "deploy"
    assert data.json()["widgets"][0]["url"] == "http://127.0.0.1:8000/widget/dashboard"
    assert token not in data.text
