"""pywry's routes mounted under a base path of a Litestar app whose lifespan runs pywry.

Nothing here starts pywry's own server or loop thread: the host app's lifespan attaches
pywry to its running loop and starts and stops the runtime, as an app embedding pywry
would. The routes are mounted under ``/apps``; everything a page needs says so.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import TestClient

from conftest import run_async
from pywry import IllegalTransitionError, PyWry, WindowMode
from pywry.adapters.http.app import page_router
from pywry.app.loop import HostLoop
from pywry.domain.protocol import Routes
from pywry.domain.token import Token

CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)


@pytest.fixture
def hosted() -> tuple[PyWry, Litestar]:
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"auto_start": False}})
    loop = HostLoop()
    app.container.loop_thread.override(loop)
    runtime = app.container.runtime()

    @asynccontextmanager
    async def lifespan(_: Litestar) -> AsyncIterator[None]:
        loop.attach()
        await runtime.start()
        try:
            yield
        finally:
            await runtime.stop(grace=1)
            loop.detach()

    router = page_router(
        pages=app.container.reception(),
        settings=app.settings.server,
        routes=Routes(base="/apps"),
        internal_token=Token.generate(),
    )
    # No destroy() after the test: the app's end is the host's shutdown, as for an app it embeds.
    return app, Litestar(route_handlers=[router], lifespan=[lifespan])


def config_of(html: str) -> dict[str, Any]:
    match = CONFIG.search(html)
    assert match is not None
    return json.loads(match.group(1))  # type: ignore[no-any-return]


def test_a_widget_shown_before_the_host_starts_is_served_under_the_base_path(hosted):
    app, host = hosted
    handle = app.show("<p>hi</p>", label="w")  # the host has not started: queued until it does
    with TestClient(host) as client:
        page = client.get("/apps/widget/w")
        assert page.status_code == 200
        cfg = config_of(page.text)
        assert (cfg["ws"], cfg["disconnect"]) == ("/apps/ws/w", "/apps/disconnect/w")
        assert '<script src="/apps/_pywry/bridge.js?v=' in page.text
        assert client.get("/apps/_pywry/bridge.js").status_code == 200
        assert client.get("/widget/w").status_code == 404  # nothing outside the base path
        protocols = ["pywry.v1", "pywry.token." + cfg["token"]]
        with client.websocket_connect("/apps/ws/w?page=tab", subprotocols=protocols) as ws:
            assert ws.receive_json()["type"] == "pywry:hello"
            emitter = threading.Thread(target=handle.emit, args=("app:x", 1))
            emitter.start()  # from another thread than the host's loop
            emitter.join()
            assert ws.receive_json()["data"] == 1


def test_the_hosts_shutdown_tells_pages_and_ends_the_app(hosted):
    app, host = hosted
    app.show("<p>hi</p>", label="w")
    with TestClient(host) as client:
        cfg = config_of(client.get("/apps/widget/w").text)
        protocols = ["pywry.v1", "pywry.token." + cfg["token"]]
        ws = client.websocket_connect("/apps/ws/w?page=tab", subprotocols=protocols)
        ws.__enter__()
        assert ws.receive_json()["type"] == "pywry:hello"
    # The host's lifespan stopped the runtime: the page was told, the app is over.
    assert ws.receive_json()["type"] == "pywry:server-stopped"
    with pytest.raises(IllegalTransitionError, match="destroyed"):
        app.emit("app:x", 1, "w")


def test_a_host_loop_refuses_a_second_loop_and_a_wait_on_itself():
    loop = HostLoop()
    assert not loop.running

    async def scene() -> None:
        loop.attach()
        loop.attach()  # the same loop again: nothing to do
        with pytest.raises(RuntimeError, match="deadlock"):

            async def nothing() -> None:
                return None

            loop.run(nothing())

    run_async(scene())
    with pytest.raises(IllegalTransitionError, match="another event loop"):
        run_async(scene())
    loop.detach()
    assert not loop.running
