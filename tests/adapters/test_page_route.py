"""The widget page route: every header and check on every answer, and never a stale page.

The route answers by itself when nothing is layered on it (pywry's own apps) and through its
Litestar handler when something is (a host app's guards); both must answer the same. Pages
are kept rendered per widget, so every way a page changes is checked here against the real
Granian server with a real HTTP client.
"""

from __future__ import annotations

import asyncio
import json
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from litestar import Litestar, Response
from litestar.testing import TestClient

from conftest import run_async
from pywry import PyWry, WindowMode
from pywry.adapters.http.page_route import PAGE_HEADERS, RenderedPages
from pywry.app.page_port import RenderedPage
from pywry.domain.protocol import Routes
from pywry.domain.widget import Widget
from pywry.litestar import PyWryPlugin
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

pytestmark = pytest.mark.server

CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
# Every answer of the page route carries these, whatever it says.
SECURITY = {name.lower(): value for name, value in PAGE_HEADERS.items()}


def config_of(html: str) -> dict[str, Any]:
    match = CONFIG.search(html)
    assert match is not None, html[:300]
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def root(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def token_of(app: PyWry, label: str) -> str:
    return app.container.gateway().widget(label).token.reveal()


def assert_page_headers(response: httpx.Response, content_type: str) -> None:
    headers = response.headers
    assert {name: headers.get(name) for name in SECURITY} == SECURITY
    assert headers["content-type"] == content_type
    assert int(headers["content-length"]) == len(response.content)
    assert not [name for name in headers if name.startswith("access-control-")]
    assert headers.get_list("cache-control") == [SECURITY["cache-control"]]  # exactly once


def test_every_answer_of_the_page_route_has_the_no_store_and_security_headers(make_app):
    app = make_app()
    handle = app.show("<p>here</p>", label="here")
    origin = {"Origin": "http://elsewhere.example"}
    page = httpx.get(handle.url, headers=origin)
    assert page.status_code == 200
    assert_page_headers(page, "text/html; charset=utf-8")
    assert config_of(page.text)["token"] == token_of(app, "here")
    for path in ("/widget/nobody", "/widget/bad%20label", "/widget/<x>"):
        missing = httpx.get(root(handle.url) + path, headers=origin)
        assert missing.status_code == 404, path
        assert_page_headers(missing, "text/html; charset=utf-8")
        assert "Widget not found" in missing.text
        assert "pywry-config" not in missing.text


def test_strict_widget_auth_hides_the_page_with_the_same_headers(make_app):
    app = make_app(strict_widget_auth=True, internal_api_token="let-me-in")
    handle = app.show("<p>guarded</p>", label="s")
    for wrong in ({}, {"X-PyWry-Token": "nope"}, {"X-PyWry-Token": "let-me-i"}):
        hidden = httpx.get(handle.url, headers=wrong)
        assert (hidden.status_code, hidden.text) == (404, "Not Found")
        assert_page_headers(hidden, "text/plain; charset=utf-8")
    allowed = httpx.get(handle.url, headers={"X-PyWry-Token": "let-me-in"})
    assert allowed.status_code == 200
    assert_page_headers(allowed, "text/html; charset=utf-8")
    assert config_of(allowed.text)["token"] == token_of(app, "s")


def test_a_foreign_host_gets_no_page(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="x")
    refused = httpx.get(handle.url, headers={"Host": "rebound.example"})
    assert refused.status_code == 400
    assert token_of(app, "x") not in refused.text
    assert httpx.get(handle.url).status_code == 200  # the server's own name still works


def test_other_methods_and_a_socket_at_a_page_address_get_no_page(make_app):
    app = make_app()
    handle = app.show("<p>x</p>", label="x")
    token = token_of(app, "x")
    for method in ("POST", "PUT", "DELETE", "HEAD"):
        answer = httpx.request(method, handle.url)
        assert answer.status_code == 405, method
        assert sorted(answer.headers["allow"].split(", ")) == ["GET", "OPTIONS"]
        assert token not in answer.text
    options = httpx.options(handle.url, headers={"Origin": "http://elsewhere.example"})
    assert options.status_code == 204
    assert sorted(options.headers["allow"].split(", ")) == ["GET", "OPTIONS"]
    assert not [name for name in options.headers if name.startswith("access-control-")]

    async def open_socket() -> None:
        async with websockets.connect(handle.url.replace("http://", "ws://")):
            pass

    with pytest.raises(websockets.InvalidStatus) as refused:
        run_async(open_socket(), timeout=10)
    assert refused.value.response.status_code == 403


def test_the_page_shows_what_is_current_after_update_title_and_emit(make_app):
    app = make_app()
    handle = app.show("<p>one</p>", label="w", title="First")
    first = httpx.get(handle.url)
    assert httpx.get(handle.url).content == first.content  # nothing changed, nothing differs
    handle.update("<p>two</p>")
    second = httpx.get(handle.url)
    assert "<p>two</p>" in second.text
    assert "<p>one</p>" not in second.text
    assert config_of(second.text)["revision"] == config_of(first.text)["revision"] + 1
    app.container.gateway().update("w", "<p>three</p>", title="Second")
    third = httpx.get(handle.url).text
    assert "<title>Second</title>" in third
    assert "<p>three</p>" in third
    socket = f"ws://{urlsplit(handle.url).netloc}/ws/w?page=tab"

    async def emitted_while_a_page_is_open() -> tuple[int, int]:
        # Once a page has connected, a page loaded later starts after the last event.
        protocols = ["pywry.v1", f"pywry.token.{token_of(app, 'w')}"]
        async with (
            websockets.connect(socket, subprotocols=protocols, open_timeout=5) as ws,
            httpx.AsyncClient() as client,
        ):
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pywry:hello"
            before = config_of((await client.get(handle.url)).text)["since"]
            handle.emit("app:news", {"n": 1})
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "app:news"
            return before, config_of((await client.get(handle.url)).text)["since"]

    before, after = run_async(emitted_while_a_page_is_open())
    assert after > before


def test_a_closed_widget_answers_404_at_once_and_a_new_one_shows_its_own_token(make_app):
    app = make_app()
    handle = app.show("<p>before</p>", label="w")
    old_token = config_of(httpx.get(handle.url).text)["token"]
    handle.close()
    gone = httpx.get(handle.url)
    assert gone.status_code == 404
    assert old_token not in gone.text
    assert "<p>before</p>" not in gone.text
    again = app.show("<p>after</p>", label="w")
    page = httpx.get(again.url)
    assert page.status_code == 200
    assert "<p>after</p>" in page.text
    new_token = config_of(page.text)["token"]
    assert new_token == token_of(app, "w")
    assert new_token != old_token


def hosted(guards: list[Any], **host: Any) -> tuple[PyWry, Litestar]:
    """A PyWry app with one widget, hosted by a Litestar app (``host``) through the plugin."""
    widgets = PyWry(mode=WindowMode.BROWSER, settings={"server": {"reconnect_grace": 0.2}})
    widgets.container.browser_launcher.override(FakeBrowserLauncher())
    widgets.container.server_runner.override(FakeServerRunner())
    plugin = PyWryPlugin(widgets, path="/apps", guards=guards)
    widgets.show("<p>same</p>", label="w", title="Same")
    return widgets, Litestar(plugins=[plugin], **host)


def test_a_guarded_page_route_answers_as_the_bare_one_does():
    """With a guard, the page goes through Litestar's handler: same page, same headers."""
    seen: list[str] = []
    answers: dict[str, list[Any]] = {}
    for name, guards in (("bare", []), ("guarded", [lambda conn, _: seen.append(conn.url.path)])):
        widgets, host = hosted(guards)
        try:
            with TestClient(host, base_url="http://127.0.0.1:8000") as c:
                page = c.get("/apps/widget/w")
                missing = c.get("/apps/widget/nobody")
                token = token_of(widgets, "w")
        finally:
            widgets.destroy()
        assert (page.status_code, missing.status_code) == (200, 404)
        assert config_of(page.text)["token"] == token
        answers[name] = [page.text.replace(token, "TOKEN"), missing.content]
        answers[name] += [dict(page.headers), dict(missing.headers)]
        assert {key: page.headers.get(key) for key in SECURITY} == SECURITY
        assert {key: missing.headers.get(key) for key in SECURITY} == SECURITY
    assert seen == ["/apps/widget/w", "/apps/widget/nobody"]  # the guard ran, for both
    assert answers["guarded"] == answers["bare"]


def test_a_hosts_response_hook_reaches_the_page_and_keeps_its_headers():
    async def stamped(response: Response[Any]) -> Response[Any]:
        response.headers["x-host"] = "stamped"
        return response

    widgets, host = hosted([], after_request=stamped)
    try:
        with TestClient(host, base_url="http://127.0.0.1:8000") as c:
            page = c.get("/apps/widget/w")
            missing = c.get("/apps/widget/nobody")
    finally:
        widgets.destroy()
    for answer in (page, missing):
        assert answer.headers["x-host"] == "stamped"
        assert {key: answer.headers.get(key) for key in SECURITY} == SECURITY
    assert "<p>same</p>" in page.text


def test_kept_pages_are_rendered_again_only_when_what_they_show_changes():
    renders: list[tuple[int, str]] = []

    def render(page: RenderedPage, routes: Routes) -> str:
        renders.append((page.since, routes.base))
        return f"{page.widget.html} {page.since} {routes.base}"

    kept = RenderedPages(render)
    widget = Widget(label="w", html="<p>a</p>")
    first = kept.body(RenderedPage(widget, 3, epoch="e"), Routes())
    assert kept.body(RenderedPage(widget, 3, epoch="e"), Routes()) is first
    assert len(renders) == 1
    assert kept.body(RenderedPage(widget, 4, epoch="e"), Routes()) == b"<p>a</p> 4 "
    assert kept.body(RenderedPage(widget, 4, epoch="f"), Routes()) == b"<p>a</p> 4 "
    assert kept.body(RenderedPage(widget, 4, epoch="f"), Routes(base="/p")) == b"<p>a</p> 4 /p"
    revised = widget.revised(html="<p>b</p>")
    assert kept.body(RenderedPage(revised, 4, epoch="f"), Routes(base="/p")).startswith(b"<p>b</p>")
    retokened = Widget(label="w", html="<p>b</p>", revision=revised.revision)
    kept.body(RenderedPage(retokened, 4, epoch="f"), Routes(base="/p"))
    assert len(renders) == 6  # each change of the widget, its numbers or its routes
    kept.forget("w")
    kept.body(RenderedPage(retokened, 4, epoch="f"), Routes(base="/p"))
    assert len(renders) == 7
