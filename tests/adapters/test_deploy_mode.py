"""Deploy mode on one worker, in process: how it is turned on, pywry's own server app, and
``deploy()`` serving with the real Granian until ``stop_server()``.

The subprocess runs (signals, ``pywry deploy``, Chromium reconnecting after a restart) are in
``tests/e2e/test_deploy_in_chromium.py``.
"""

from __future__ import annotations

import socket
import threading
import time
from typing import Any

import httpx
import pytest
from litestar import Litestar, get
from litestar.params import FromPath
from litestar.testing import TestClient

from pywry import IllegalTransitionError, PyWry, ServerError, SettingsError
from pywry.testing import FakeBrowserLauncher

BASE = "http://127.0.0.1:8000"


def no_browser(app: PyWry) -> FakeBrowserLauncher:
    launcher = FakeBrowserLauncher()
    app.container.browser_launcher.override(launcher)
    return launcher


@pytest.mark.parametrize(
    "how",
    ["PYWRY_DEPLOY_MODE", "PYWRY_DEPLOY__ENABLED", "pywry.toml", "settings"],
)
def test_deploy_mode_is_turned_on_every_documented_way(how, monkeypatch, tmp_path):
    settings: dict[str, Any] | None = None
    if how == "pywry.toml":
        (tmp_path / "pywry.toml").write_text("[deploy]\nenabled = true\n")
    elif how == "settings":
        settings = {"deploy": {"enabled": True}}
    else:
        monkeypatch.setenv(how, "1")
    app = PyWry(settings=settings)
    launcher = no_browser(app)
    assert app.settings.deploy_mode
    assert app.hosted
    handle = app.show("<p>x</p>", label="w")
    assert handle.url == "/widget/w"  # a path until a server of pywry's own serves it
    assert launcher.opened == []
    assert app.container.server().state.value == "stopped"  # browser mode never started
    app.destroy()


def test_get_server_app_is_pywrys_own_litestar_app_that_takes_routes():
    widgets = PyWry()
    server = widgets.get_server_app()
    assert isinstance(server, Litestar)
    assert widgets.get_server_app() is server
    assert widgets.hosted
    widgets.show("<h1>Dashboard</h1>", label="dashboard")

    @get("/html/{label:str}")
    async def html_of(label: FromPath[str]) -> str:
        return await widgets.get_widget_html_async(label) or "none"

    server.register(html_of)
    with TestClient(server, base_url=BASE) as client:
        assert client.get("/widget/dashboard").status_code == 200
        assert client.get("/html/dashboard").text == "<h1>Dashboard</h1>"
        assert client.get("/html/nothing").text == "none"
        assert client.get("/schema").status_code == 404  # no API docs left open
    assert widgets.get_widget_html("dashboard") is None  # the app is over with its server


def test_get_widget_html_gives_the_content_or_none():
    widgets = PyWry(settings={"deploy": {"enabled": True}})
    widgets.show("<p>one</p>", label="one")
    assert widgets.get_widget_html("one") == "<p>one</p>"
    assert widgets.get_widget_html("two") is None
    widgets.destroy()


def test_deploy_mode_cannot_begin_after_browser_mode_showed(make_app):
    app = make_app()
    app.show("<p>x</p>", label="w")
    with pytest.raises(IllegalTransitionError, match="PYWRY_DEPLOY_MODE=1"):
        app.get_server_app()


@pytest.mark.server
@pytest.mark.timeout(60)
@pytest.mark.parametrize("tls", [False, True], ids=["http", "https"])
def test_deploy_serves_with_granian_until_stop_server(tls):
    server: dict[str, Any] = {"port": 0, **({"ssl": "self-signed"} if tls else {})}
    widgets = PyWry(settings={"server": server, "deploy": {"enabled": True}})
    clicks: list[Any] = []
    widgets.show("<p>x</p>", label="w", callbacks={"app:click": clicks.append})
    done = threading.Event()

    def serve() -> None:
        try:
            widgets.deploy()
        finally:
            done.set()

    threading.Thread(target=serve, daemon=True).start()
    deadline = time.monotonic() + 20
    url = widgets.get_widget_url("w")
    while not url.startswith("http"):  # absolute once the server listens
        assert not done.is_set(), "deploy() returned before serving"
        assert time.monotonic() < deadline, "deploy() did not start serving in 20 s"
        done.wait(0.02)
        url = widgets.get_widget_url("w")
    assert url.startswith("https://" if tls else "http://")
    assert httpx.get(url, verify=False).status_code == 200
    widgets.stop_server()
    assert done.wait(15), "deploy() did not return after stop_server()"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, verify=False)
    with pytest.raises(IllegalTransitionError):
        widgets.show("<p>y</p>")


def test_workers_above_one_are_refused_with_the_memory_backend_naming_redis():
    widgets = PyWry(settings={"server": {"port": 0, "workers": 2}, "deploy": {"enabled": True}})
    with pytest.raises(SettingsError, match='state_backend = "redis"'):
        widgets.deploy()


def test_a_redis_that_does_not_answer_is_named_before_any_worker_starts():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there once the probe closes
    url = f"redis://:secret@127.0.0.1:{port}/0"
    widgets = PyWry(
        settings={"server": {"workers": 2}, "deploy": {"state_backend": "redis", "redis_url": url}}
    )
    with pytest.raises(
        ServerError, match=f"cannot reach Redis at redis://:\\*+@127.0.0.1:{port}/0"
    ):
        widgets.deploy(target="nowhere:widgets")
