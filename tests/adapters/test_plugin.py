"""The Litestar plugin in a host app, driven through Litestar's test client.

The host's lifespan runs pywry on the host's loop; nothing here starts a server or a
browser of pywry's own. The real servers (Granian, uvicorn) and Chromium are in
``tests/e2e/test_plugin_in_chromium.py``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from litestar import Litestar, MediaType, Request, Response, get
from litestar.connection import ASGIConnection
from litestar.exceptions import NotAuthorizedException, WebSocketDisconnect
from litestar.handlers import BaseRouteHandler
from litestar.middleware import DefineMiddleware
from litestar.params import FromPath
from litestar.response import Redirect
from litestar.testing import TestClient
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from pywry import IllegalTransitionError, InvalidArgumentError, PyWry, WindowMode
from pywry.litestar import PyWryPlugin
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
BASE = "http://127.0.0.1:8000"  # the host check allows loopback names, not "testserver"


def config_of(html: str) -> dict[str, Any]:
    match = CONFIG.search(html)
    assert match is not None, html[:300]
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def protocols(cfg: dict[str, Any]) -> list[str]:
    return ["pywry.v1", "pywry.token." + cfg["token"]]


@contextmanager
def connected(c: TestClient[Litestar], label: str = "w") -> Iterator[Any]:
    """A page of ``label`` under /apps whose socket is open and greeted."""
    cfg = config_of(c.get(f"/apps/widget/{label}").text)
    with c.websocket_connect(f"/apps/ws/{label}?page=tab", subprotocols=protocols(cfg)) as ws:
        assert ws.receive_json()["type"] == "pywry:hello"
        yield ws


def frames_until(ws: Any, event: str) -> list[dict[str, Any]]:
    """The frames a page gets up to and including the first ``event``."""
    frames: list[dict[str, Any]] = []
    while not any(f.get("type") == event for f in frames):
        frame = ws.receive_json()
        frames.extend(frame.get("events", [frame]))
    return frames


def logged_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if connection.cookies.get("user") != "ada":
        raise NotAuthorizedException("log in first")


@pytest.fixture
def widgets() -> Iterator[PyWry]:
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"reconnect_grace": 0.2}})
    # Fakes that would record any attempt: a hosted app starts no server, opens no browser.
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    yield app
    app.destroy()


def client(app: Litestar, **kwargs: Any) -> TestClient[Litestar]:
    return TestClient(app, base_url=BASE, **kwargs)


def test_a_widget_shown_at_import_time_is_served_under_the_plugins_path(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    handle = widgets.show("<h1>Sales</h1>", label="sales")
    assert handle.url == "/apps/widget/sales"
    assert widgets.hosted
    with client(Litestar(plugins=[plugin])) as c:
        page = c.get("/apps/widget/sales")
        assert page.status_code == 200
        assert "<h1>Sales</h1>" in page.text
        cfg = config_of(page.text)
        assert (cfg["ws"], cfg["disconnect"]) == ("/apps/ws/sales", "/apps/disconnect/sales")
        assert c.get("/widget/sales").status_code == 404
    assert widgets.container.browser_launcher().opened == []
    assert widgets.container.server_runner().starts == 0


def test_callbacks_of_every_kind_answer_through_the_hosts_socket(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    seen: list[Any] = []

    def one(data):
        seen.append(("one", data))

    def three(data, event_type, label):
        handle.emit("app:echo", {"event": event_type, "label": label, "data": data})

    async def on_loop(data, event_type):
        seen.append(("async", event_type))

    handle = widgets.show(
        "<p>x</p>", label="w", callbacks={"app:one": one, "app:three": three, "app:a": on_loop}
    )
    with client(Litestar(plugins=[plugin])) as c, connected(c) as ws:
        for seq, name in enumerate(["app:one", "app:a", "app:three"], start=1):
            ws.send_json({"type": name, "data": seq, "seq": seq})
        echo = frames_until(ws, "app:echo")[-1]
        assert echo["data"] == {"event": "app:three", "label": "w", "data": 3}
    assert ("one", 1) in seen
    assert ("async", "app:a") in seen


def test_widgets_made_in_route_handlers_sync_and_async_are_served(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")

    @get("/report/{name:str}")
    async def report(name: FromPath[str]) -> Redirect:
        return Redirect(widgets.show(f"<h1>{name}</h1>", label=f"report-{name}").url)

    @get("/sync/{name:str}", sync_to_thread=True)
    def sync_report(name: FromPath[str]) -> Redirect:
        return Redirect(widgets.show(f"<h2>{name}</h2>", label=f"sync-{name}").url)

    with client(Litestar(route_handlers=[report, sync_report], plugins=[plugin])) as c:
        assert "<h1>q1</h1>" in c.get("/report/q1").text
        assert "<h2>q2</h2>" in c.get("/sync/q2").text


def test_emit_from_another_thread_reaches_the_page(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    handle = widgets.show("<p>x</p>", label="w")
    with client(Litestar(plugins=[plugin])) as c, connected(c) as ws:
        emitter = threading.Thread(target=handle.emit, args=("app:x", 7))
        emitter.start()
        emitter.join()
        assert ws.receive_json()["data"] == 7


def test_guards_refuse_an_anonymous_user_the_page_and_the_socket(widgets):
    plugin = PyWryPlugin(widgets, path="/apps", guards=[logged_in])
    widgets.show("<p>secret</p>", label="w")
    with client(Litestar(plugins=[plugin])) as c:
        refused = c.get("/apps/widget/w")
        assert refused.status_code == 401
        assert "secret" not in refused.text
        c.cookies.set("user", "ada")
        cfg = config_of(c.get("/apps/widget/w").text)
        with connected(c):
            pass  # logged in: the socket opens and is greeted
        c.cookies.clear()
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            c.websocket_connect("/apps/ws/w?page=tab", subprotocols=protocols(cfg)) as ws,
        ):
            ws.receive_json()
        assert refused.value.detail == "log in first"  # the guard's, before any hello


def test_the_hosts_middleware_and_exception_handlers_wrap_pywrys_routes(widgets):
    plugin = PyWryPlugin(widgets, path="/apps", guards=[logged_in])
    widgets.show("<p>x</p>", label="w")

    def stamp(app: ASGIApp) -> ASGIApp:
        async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
            async def stamped(message: Message) -> None:
                if message["type"] == "http.response.start":
                    message["headers"] = [*message.get("headers", []), (b"x-host", b"yes")]
                await send(message)

            await app(scope, receive, stamped)

        return middleware

    def login_page(_: Request[Any, Any, Any], exc: NotAuthorizedException) -> Response[str]:
        return Response("please log in", status_code=401, media_type=MediaType.TEXT)

    host = Litestar(
        plugins=[plugin],
        middleware=[DefineMiddleware(stamp)],
        exception_handlers={NotAuthorizedException: login_page},
    )
    with client(host) as c:
        answer = c.get("/apps/widget/w")
        assert (answer.status_code, answer.text) == (401, "please log in")
        assert answer.headers["x-host"] == "yes"


def test_pages_under_a_root_path_get_addresses_with_it(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    widgets.show("<p>x</p>", label="w")
    with client(Litestar(plugins=[plugin]), root_path="/tools") as c:
        page = c.get("/tools/apps/widget/w")
        assert page.status_code == 200
        cfg = config_of(page.text)
        assert cfg["ws"] == "/tools/apps/ws/w"
        assert '<script src="/tools/apps/_pywry/bridge.js?v=' in page.text


def test_a_public_base_url_makes_widget_urls_absolute():
    app = PyWry(settings={"server": {"public_base_url": "https://example.com/tools/"}})
    PyWryPlugin(app, path="/apps")
    assert app.show("<p>x</p>", label="w").url == "https://example.com/tools/apps/widget/w"
    assert app.get_widget_url("w") == "https://example.com/tools/apps/widget/w"
    app.destroy()


def test_the_host_check_and_cors_hold_on_pywrys_routes(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    widgets.show("<p>x</p>", label="w")
    with client(Litestar(plugins=[plugin])) as c:
        assert c.get("/apps/widget/w", headers={"host": "evil.example"}).status_code == 400
        preflight = c.options(
            "/apps/health",
            headers={"origin": "http://other.example", "access-control-request-method": "GET"},
        )
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "*"
        page = c.get("/apps/widget/w", headers={"origin": "http://other.example"})
        assert "access-control-allow-origin" not in page.headers


def test_the_hosts_shutdown_tells_pages_it_restarts(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    widgets.show("<p>x</p>", label="w")
    with client(Litestar(plugins=[plugin])) as c:
        cfg = config_of(c.get("/apps/widget/w").text)
        ws = c.websocket_connect("/apps/ws/w?page=tab", subprotocols=protocols(cfg))
        ws.__enter__()
        assert ws.receive_json()["type"] == "pywry:hello"
    assert ws.receive_json()["type"] == "pywry:server-restarting"
    with pytest.raises(WebSocketDisconnect) as closed:
        ws.receive()
    assert closed.value.code == 1012  # the page reconnects, and reloads if tokens changed


def test_two_plugins_in_two_apps_share_nothing():
    first, second = PyWry(), PyWry()
    host_a = Litestar(plugins=[PyWryPlugin(first, path="/apps")])
    host_b = Litestar(plugins=[PyWryPlugin(second, path="/apps")])
    first.show("<p>a</p>", label="only-a")
    with client(host_a) as a, client(host_b) as b:
        assert a.get("/apps/widget/only-a").status_code == 200
        assert b.get("/apps/widget/only-a").status_code == 404
    first.destroy()
    second.destroy()


@pytest.mark.parametrize(
    ("path", "hint"),
    [("apps", "did you mean '/apps'"), ("/apps/", "did you mean '/apps'"), ("/a b", "URL path")],
)
def test_a_bad_path_is_refused_naming_it(path, hint):
    with pytest.raises(InvalidArgumentError, match=re.escape(hint)):
        PyWryPlugin(PyWry(), path=path)


def test_a_plugin_takes_only_a_pywry_app():
    with pytest.raises(InvalidArgumentError, match="takes a PyWry app, got str"):
        PyWryPlugin("widgets", path="/apps")  # type: ignore[arg-type]


def test_a_path_clashing_with_a_host_route_fails_at_litestar(widgets):
    @get("/apps/overview", sync_to_thread=False)
    def overview() -> str:
        return "mine"

    with pytest.raises(InvalidArgumentError, match=r"'/apps' clashes with the app's route"):
        Litestar(route_handlers=[overview], plugins=[PyWryPlugin(widgets, path="/apps")])


def test_one_app_gets_one_plugin_and_only_before_it_showed_in_browser_mode(make_app, widgets):
    PyWryPlugin(widgets, path="/apps")
    with pytest.raises(IllegalTransitionError, match="already has a PyWryPlugin"):
        PyWryPlugin(widgets, path="/other")
    shown = make_app()
    shown.show("<p>x</p>", label="w")
    with pytest.raises(IllegalTransitionError, match="already shown in browser mode"):
        PyWryPlugin(shown, path="/apps")


def test_a_hosted_app_has_no_server_of_its_own_to_start_or_wait_for(widgets):
    PyWryPlugin(widgets, path="/apps")
    widgets.show("<p>x</p>", label="w")
    with pytest.raises(IllegalTransitionError, match="block\\(\\) waits"):
        widgets.block()
    with pytest.raises(IllegalTransitionError, match="another server"):
        widgets.start()


def test_a_second_server_run_is_refused_with_what_to_do(widgets):
    host = Litestar(plugins=[PyWryPlugin(widgets, path="/apps")])
    with client(host):
        pass
    with pytest.raises(BaseExceptionGroup) as refused, client(host):
        pass
    assert refused.group_contains(IllegalTransitionError, match="make a new PyWry")


def test_destroy_while_hosted_stops_pywrys_routes_not_the_host(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")

    @get("/", sync_to_thread=False)
    def home() -> str:
        return "home"

    widgets.show("<p>x</p>", label="w")
    with client(Litestar(route_handlers=[home], plugins=[plugin])) as c:
        assert c.get("/apps/widget/w").status_code == 200
        widgets.destroy()
        assert c.get("/apps/widget/w").status_code == 404
        assert c.get("/").text == "home"


def test_the_plugin_adds_no_middleware_to_the_host_app_and_leaves_its_logging_alone(widgets):
    from litestar.logging.config import LoggingConfig
    from litestar.plugins import InitPlugin

    plugin = PyWryPlugin(widgets, path="/apps")
    assert isinstance(plugin, InitPlugin)
    logging_config = LoggingConfig()
    host = Litestar(plugins=[plugin], logging_config=logging_config)
    assert host.middleware == []
    assert host.logging_config is logging_config
    assert repr(plugin) == "PyWryPlugin(path='/apps')"


def test_update_alert_and_close_reach_the_page_as_in_browser_mode(widgets):
    plugin = PyWryPlugin(widgets, path="/apps")
    handle = widgets.show("<p>one</p>", label="w")
    with client(Litestar(plugins=[plugin])) as c:
        with connected(c) as ws:
            handle.update("<p>two</p>")
            handle.alert("saved", alert_type="success")
            handle.close()
            types = [f["type"] for f in frames_until(ws, "pywry:closed")]
            assert types == ["pywry:update-html", "pywry:alert", "pywry:closed"]
        assert c.get("/apps/widget/w").status_code == 404
