"""The HTTP adapter under the real Granian server on 127.0.0.1, with real clients."""

from __future__ import annotations

import asyncio
import json
import os
import queue
import socket
import threading
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from conftest import run_async
from pywry import PortInUseError, PyWry

pytestmark = pytest.mark.server


def base(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def ws_url(handle, query: str = "") -> str:
    parts = urlsplit(handle.url)
    return f"ws://{parts.netloc}/ws/{handle.label}{query}"


def token_of(app: PyWry, label: str) -> str:
    return app.container.gateway().widget(label).token.reveal()


def test_a_widget_page_is_served_with_no_cache_headers(make_app):
    app = make_app()
    handle = app.show("<h1>Hello</h1>", label="hello", title="A <Title>")
    response = httpx.get(handle.url)
    assert response.status_code == 200
    assert "<h1>Hello</h1>" in response.text
    assert "<title>A &lt;Title&gt;</title>" in response.text
    assert response.headers["cache-control"] == "no-store, no-cache, must-revalidate, max-age=0"
    assert response.headers["pragma"] == "no-cache"
    assert response.headers["expires"] == "0"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_a_whole_document_keeps_its_shape(make_app):
    app = make_app()
    doc = "<!DOCTYPE html><html><head><title>Mine</title></head><body><p>x</p></body></html>"
    handle = app.show(doc, label="doc")
    text = httpx.get(handle.url).text
    assert text.startswith('<!DOCTYPE html><html><head><script id="pywry-config"')
    assert "<title>Mine</title>" in text


def test_an_unknown_widget_gets_a_404_page_that_says_so(make_app):
    app = make_app()
    handle = app.show("<p/>", label="known")
    response = httpx.get(base(handle.url) + "/widget/<nope>")
    assert response.status_code == 404
    assert "Widget not found" in response.text
    assert "&lt;nope&gt;" in response.text


def test_the_bridge_script_is_cached(make_app):
    app = make_app()
    handle = app.show("<p/>", label="x")
    page = httpx.get(handle.url).text
    src = page.split('<script src="')[1].split('"')[0]
    response = httpx.get(base(handle.url) + src.replace("&amp;", "&"))
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "window.pywry" in response.text


def test_no_framework_extras_are_exposed(make_app):
    app = make_app()
    handle = app.show("<p/>", label="x")
    for path in ("/docs", "/schema", "/openapi.json", "/schema/openapi.json", "/nothing"):
        assert httpx.get(base(handle.url) + path).status_code == 404, path


def test_health_and_register_need_the_internal_token(make_app):
    app = make_app(internal_api_token="let-me-in")
    handle = app.show("<p>v1</p>", label="r")
    root = base(handle.url)
    assert httpx.get(root + "/health").status_code == 404
    assert httpx.get(root + "/health", headers={"X-PyWry-Token": "wrong"}).status_code == 404
    ok = httpx.get(root + "/health", headers={"X-PyWry-Token": "let-me-in"})
    assert (ok.status_code, ok.json()) == (200, {"status": "ok"})
    body = {"widget_id": "r", "html": "<p>v2</p>"}
    assert httpx.post(root + "/register_widget", json=body).status_code == 404
    registered = httpx.post(
        root + "/register_widget", json=body, headers={"X-PyWry-Token": "let-me-in"}
    )
    assert registered.status_code == 200
    assert registered.json()["status"] == "registered"
    assert registered.json()["widget_id"] == "r"
    assert "<p>v2</p>" in httpx.get(handle.url).text
    fresh = httpx.post(
        root + "/register_widget",
        json={"widget_id": "brand-new", "html": "<p>new</p>"},
        headers={"X-PyWry-Token": "let-me-in"},
    )
    assert fresh.status_code == 200
    assert "brand-new" in app.get_labels()


def test_disconnect_without_the_widget_token_changes_nothing(make_app):
    app = make_app()
    handle = app.show("<p/>", label="d")
    root = base(handle.url)
    assert httpx.post(root + "/disconnect/d").status_code == 403
    assert (
        httpx.post(root + "/disconnect/d", content=json.dumps({"token": "nope"})).status_code == 403
    )
    assert app.get_labels() == ["d"]
    good = httpx.post(root + "/disconnect/d", content=json.dumps({"token": token_of(app, "d")}))
    assert good.json() == {"status": "disconnected", "widget_id": "d"}


def test_a_disconnect_without_a_page_id_is_the_widgets_goodbye_and_runs_the_callback_once(
    make_app,
):
    # The release's form: POST /disconnect/{id}?reason=..., one page per widget.
    app = make_app(internal_api_token="let-me-in")
    goodbyes: queue.Queue[Any] = queue.Queue()
    handle = app.show("<p/>", label="d", callbacks={"pywry:disconnect": goodbyes.put})
    url = base(handle.url) + "/disconnect/d?reason=tab-closed"
    answer = httpx.post(url, headers={"X-PyWry-Token": "let-me-in"})
    assert answer.json() == {"status": "disconnected", "widget_id": "d"}
    assert goodbyes.get(timeout=5) == {"reason": "tab-closed", "widget_id": "d"}
    with_token = httpx.post(url, content=json.dumps({"token": token_of(app, "d")}))
    assert with_token.status_code == 200
    assert goodbyes.get(timeout=5)["widget_id"] == "d"
    assert httpx.post(url, headers={"X-PyWry-Token": "wrong"}).status_code == 403
    assert goodbyes.empty()


def test_strict_widget_auth_serves_pages_only_with_the_internal_api_header(make_app):
    app = make_app(strict_widget_auth=True, internal_api_token="let-me-in")
    handle = app.show("<p>guarded</p>", label="s")
    assert httpx.get(handle.url).status_code == 404
    assert httpx.get(handle.url, headers={"X-PyWry-Token": "nope"}).status_code == 404
    allowed = httpx.get(handle.url, headers={"X-PyWry-Token": "let-me-in"})
    assert allowed.status_code == 200
    assert "<p>guarded</p>" in allowed.text


def test_a_port_in_use_raises_a_clear_error(make_app):
    holder = socket.socket()
    holder.bind(("127.0.0.1", 0))
    holder.listen()
    port = holder.getsockname()[1]
    try:
        app = make_app(port=port)
        with pytest.raises(PortInUseError, match=str(port)) as error:
            app.show("<p/>", label="x")
        assert "PYWRY_SERVER__PORT" in str(error.value)
    finally:
        holder.close()


def test_a_second_app_on_the_first_apps_port_is_told_it_may_be_one_of_its_own(make_app):
    first = make_app()
    port = urlsplit(first.show("<p/>", label="a").url).port
    with pytest.raises(PortInUseError, match=r"another PyWry\(\) app of this process"):
        make_app(port=port).show("<p/>", label="b")
    assert httpx.get(first.get_widget_url("a")).status_code == 200  # the first one serves on


def test_port_zero_picks_a_free_port_shown_in_the_url(make_app):
    app = make_app()
    handle = app.show("<p/>", label="x")
    port = urlsplit(handle.url).port
    assert port
    assert port != 8765
    assert httpx.get(handle.url).status_code == 200


def test_a_wildcard_bind_never_shows_0_0_0_0(make_app):
    app = make_app(host="0.0.0.0", allowed_hosts=["*"])
    handle = app.show("<p/>", label="x")
    assert "0.0.0.0" not in handle.url
    port = urlsplit(handle.url).port
    assert httpx.get(f"http://127.0.0.1:{port}/widget/x").status_code == 200


def test_a_foreign_host_header_is_refused(make_app):
    app = make_app()
    handle = app.show("<p>secret</p>", label="x")
    response = httpx.get(handle.url, headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "secret" not in response.text


def test_destroy_frees_the_port_at_once_and_leaves_no_socket_behind(make_app):
    for _ in range(3):
        app = make_app()
        handle = app.show("<p/>", label="x")
        port = urlsplit(handle.url).port
        app.destroy()
        # No descriptor of this process is left on the port (one per start leaked before)...
        assert _sockets_on_port(port) == []
        # ...so a plain bind, as another program would do it, succeeds: no SO_REUSEADDR to
        # hide a socket still bound there.
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", port))


def _sockets_on_port(port: int) -> list[int]:
    found = []
    for name in os.listdir("/proc/self/fd"):
        try:
            sock = socket.socket(fileno=int(name))
        except OSError:
            continue  # not a socket (or closed meanwhile)
        try:
            if sock.family in (socket.AF_INET, socket.AF_INET6) and sock.getsockname()[1] == port:
                found.append(int(name))
        except OSError:
            pass
        finally:
            sock.detach()
    return found


# ----------------------------------------------------------------- the socket


async def _connect(url: str, protocols: list[str]):
    return await websockets.connect(url, subprotocols=protocols, open_timeout=5)


def test_the_socket_echoes_the_fixed_subprotocol_and_round_trips(make_app):
    app = make_app()

    def on_ping(data):
        handle.emit("app:pong", data)

    handle = app.show("<p/>", label="ws", callbacks={"app:ping": on_ping})
    token = token_of(app, "ws")

    async def run():
        async with await _connect(ws_url(handle), ["pywry.v1", f"pywry.token.{token}"]) as ws:
            assert ws.subprotocol == "pywry.v1"
            await ws.send(json.dumps({"type": "app:ping", "data": {"n": 1}, "widgetId": "ws"}))
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "app:pong"
            assert frame["data"] == {"n": 1}
            assert isinstance(frame["seq"], int)

    run_async(run())


def test_a_wrong_token_is_told_in_band_then_closed_4001(make_app):
    app = make_app()
    fired = threading.Event()
    handle = app.show("<p/>", label="ws", callbacks={"*": lambda d: fired.set()})

    async def run():
        async with await _connect(ws_url(handle), ["pywry.v1", "pywry.token.wrong"]) as ws:
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert frame["type"] == "pywry:auth-error"
            with pytest.raises(websockets.ConnectionClosed) as closed:
                await ws.send(json.dumps({"type": "app:x", "data": 1}))
                await asyncio.wait_for(ws.recv(), 5)
            assert closed.value.rcvd.code == 4001

    run_async(run())
    assert not fired.is_set()


def test_bad_frames_get_an_error_and_the_socket_stays_up(make_app):
    app = make_app()
    handle = app.show(
        "<p/>", label="ws", callbacks={"app:echo": lambda d: handle.emit("app:echoed", d)}
    )
    token = token_of(app, "ws")

    async def run():
        async with await _connect(ws_url(handle), ["pywry.v1", f"pywry.token.{token}"]) as ws:
            for bad in (
                "not json",
                json.dumps({"type": "nope", "data": 1}),
                json.dumps({"type": "pywry:evil"}),
            ):
                await ws.send(bad)
                frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
                assert frame["type"] == "pywry:error"
            await ws.send(b"\x00binary")
            assert json.loads(await asyncio.wait_for(ws.recv(), 5))["type"] == "pywry:error"
            await ws.send(json.dumps({"type": "app:echo", "data": "still here"}))
            frame = json.loads(await asyncio.wait_for(ws.recv(), 5))
            assert (frame["type"], frame["data"]) == ("app:echoed", "still here")

    run_async(run())


def test_a_reconnecting_client_gets_what_it_missed_in_one_batch(make_app):
    app = make_app()
    handle = app.show("<p/>", label="ws")
    token = token_of(app, "ws")
    protocols = ["pywry.v1", f"pywry.token.{token}"]

    async def run():
        async with await _connect(ws_url(handle), protocols) as ws:
            handle.emit("app:n", 0)
            first = json.loads(await asyncio.wait_for(ws.recv(), 5))
        for i in range(1, 101):
            handle.emit("app:n", i)
        got: list[int] = []
        async with await _connect(ws_url(handle, f"?since={first['seq']}"), protocols) as ws:
            while len(got) < 100:
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                for frame in message.get("events", [message]):
                    got.append(frame["data"])
        assert got == list(range(1, 101))

    run_async(run())
