"""Reliability in a real headless Chromium against the real server: nothing is lost.

Sockets are cut from the server's side (``Bridge.drop_connections``): Chromium's offline
mode does not reliably cut an open loopback socket.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from recorder import Recorder
from tabs import wait_connected

pytestmark = pytest.mark.e2e

RECORDER = """() => {
    window.got = [];
    window.pywry.on('app:n', n => window.got.push(n));
}"""


# ------------------------------------------------------------------ 1. replay
@pytest.mark.timeout(30)
def test_a_page_cut_off_in_the_middle_of_10000_emits_ends_with_all_of_them_in_order(make_app, page):
    app = make_app()
    handle = app.show("<p>stream</p>", label="stream")
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))  # noqa: PLW0108 - Playwright needs a lambda
    page.goto(handle.url)
    wait_connected(page)
    page.evaluate(RECORDER)
    page.evaluate("() => { window.samePage = true; }")
    gateway = app.container.gateway()
    started = time.perf_counter()
    for i in range(10_000):
        handle.emit("app:n", i)
        if i == 4_000:
            # The page is still taking in the first frames: cut it off mid-stream.
            assert gateway.drop_connections("stream") == 1
    received_at_cut = page.evaluate("() => window.got.length")
    page.wait_for_function("() => window.got.length >= 10000", timeout=15_000)
    elapsed = time.perf_counter() - started
    got = page.evaluate("() => window.got")
    assert received_at_cut < 10_000
    assert got == list(range(10_000))  # all of them, in order, none twice
    assert len(sockets) == 2  # one reconnect, no reload
    assert page.evaluate("() => window.samePage") is True
    assert elapsed < 15
    logging.getLogger("pywry.tests").info("10,000 emits with a cut: %.2f s", elapsed)


@pytest.mark.timeout(30)
def test_what_a_page_emits_while_cut_off_arrives_once_in_order(make_app, page):
    # A low inbound rate keeps frames in flight (unread) when the socket is cut, so the
    # page must resend exactly those the server never handled.
    app = make_app(max_inbound_rate=2_000)
    record = Recorder()
    handle = app.show("<p>up</p>", label="up", callbacks={"app:n": record})
    page.goto(handle.url)
    wait_connected(page)
    page.evaluate("() => { for (let i = 0; i < 5000; i++) window.pywry.emit('app:n', i); }")
    record.wait_for(100, 5)
    app.container.gateway().drop_connections("up")
    handled_at_cut = len(record.items)
    page.wait_for_function("() => !window.pywry.connected")
    page.evaluate("() => { for (let i = 5000; i < 5100; i++) window.pywry.emit('app:n', i); }")
    assert page.evaluate("() => window.pywry.pending") > 0
    got = record.wait_for(5_100, 15)
    time.sleep(0.3)  # room for a duplicate to show up, if there were one
    assert handled_at_cut < 5_000
    assert record.items == got == list(range(5_100))
    page.wait_for_function("() => window.pywry.pending === 0")


# ------------------------------------------------------------------ 3. refresh-safe
@pytest.mark.timeout(30)
def test_reload_back_navigation_and_a_second_tab_keep_the_widget(make_app, page, new_page):
    app = make_app(reconnect_grace=2.0)
    record = Recorder()
    handle = app.show(
        "<button onclick=\"pywry.emit('app:n', 1)\">go</button>",
        label="keep",
        callbacks={"app:n": record},
    )
    other = app.show("<p>elsewhere</p>", label="elsewhere")
    page.goto(handle.url)
    wait_connected(page)
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()

    page.reload()
    wait_connected(page)
    page.goto(other.url)
    wait_connected(page)
    page.go_back()
    wait_connected(page)
    assert page.url == handle.url
    page.click("text=go")
    assert record.wait_for(1, 5) == [1]

    second = new_page()
    second.goto(handle.url)
    wait_connected(second)
    assert app.page_count("keep") == 2
    for p in (page, second):
        p.evaluate(RECORDER)
    handle.emit("app:n", 7)
    for p in (page, second):
        p.wait_for_function("() => window.got.length === 1")
        assert p.evaluate("() => window.got") == [7]
    page.close()
    second.click("text=go")
    assert record.wait_for(2, 5) == [1, 1]
    assert not returned.is_set()
    assert app.get_labels() == ["keep", "elsewhere"]


@pytest.mark.timeout(30)
def test_block_returns_only_once_the_grace_has_passed_with_no_page_open(make_app, page):
    grace = 1.5
    app = make_app(reconnect_grace=grace)
    handle = app.show("<p>b</p>", label="b")
    page.goto(handle.url)
    wait_connected(page)
    returned_at: list[float] = []
    done = threading.Event()

    def block() -> None:
        app.block()
        returned_at.append(time.monotonic())
        done.set()

    threading.Thread(target=block, daemon=True).start()
    page.reload()  # a page away for less than the grace does not count
    wait_connected(page)
    assert not done.wait(grace + 0.3)
    page.goto("about:blank")
    left_at = time.monotonic()
    assert done.wait(grace + 5)
    waited = returned_at[0] - left_at
    assert grace - 0.1 <= waited < grace + 2


# ------------------------------------------------------------------ 4. restart recovery
SCRIPT = """
import os, sys, threading

from pywry import PyWry

port = int(sys.argv[1])
app = PyWry(settings={"server": {"port": port}})

def on_click(data):
    handle.emit("app:pong", {"pid": os.getpid(), "n": data["n"]})

handle = app.show(
    "<button onclick=\\"pywry.emit('app:click', {n: ++window.clicks})\\">ping</button>"
    "<script>window.clicks = 0</script>",
    label="restartable",
    callbacks={"app:click": on_click},
)
print("serving", handle.url, flush=True)
threading.Event().wait()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def script(tmp_path: Path) -> Iterator[Any]:
    path = tmp_path / "restartable.py"
    path.write_text(textwrap.dedent(SCRIPT))
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWRY_")}
    env.update(PYWRY_HEADLESS="1", PYWRY_CONFIG_FILE=str(tmp_path / "none.toml"))
    running: list[subprocess.Popen[str]] = []

    def start(port: int) -> tuple[subprocess.Popen[str], str]:
        process = subprocess.Popen(
            [sys.executable, str(path), str(port)],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=env,
            cwd=tmp_path,
        )
        running.append(process)
        assert process.stdout is not None
        for line in process.stdout:  # headless mode prints its own line about the URL first
            if line.startswith("serving "):
                return process, line.split()[1]
        raise AssertionError(f"the script exited with {process.wait(10)} before serving")

    yield start
    for process in running:
        if process.poll() is None:
            process.kill()
        process.wait(10)


@pytest.mark.timeout(45)
def test_a_restarted_script_takes_its_open_page_back_without_user_action(script, page):
    port = free_port()
    first, url = script(port)
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(url)
    wait_connected(page)
    page.evaluate("() => pywry.on('app:pong', d => { window.pong = d; })")
    page.click("text=ping")
    page.wait_for_function("() => window.pong && window.pong.n === 1")
    assert page.evaluate("() => window.pong.pid") == first.pid

    first.send_signal(signal.SIGKILL)
    first.wait(10)
    killed = time.monotonic()
    # The page reconnects, is refused in-band (the new process has a new token), reloads
    # once and connects: the same tab, with no user action.
    with page.expect_event("load", timeout=15_000):
        second, again = script(port)
        assert again == url
    wait_connected(page, timeout=15_000)
    page.evaluate("() => pywry.on('app:pong', d => { window.pong = d; })")
    page.click("text=ping")
    page.wait_for_function("() => window.pong && window.pong.pid !== undefined")
    recovered = time.monotonic() - killed
    assert page.evaluate("() => window.pong") == {"pid": second.pid, "n": 1}
    assert recovered < 15
    assert loads == [url, url]
    logging.getLogger("pywry.tests").info("restart to round trip: %.2f s", recovered)


# ------------------------------------------------------------------ 5. /register_widget
def test_register_widget_updates_open_pages_and_answers_the_full_url(make_app, page, monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__INTERNAL_API_TOKEN", "tool-secret")
    app = make_app()
    handle = app.show("<p id=v>one</p>", label="tool")
    page.goto(handle.url)
    wait_connected(page)
    root = "{0.scheme}://{0.netloc}".format(urlsplit(handle.url))
    answer = httpx.post(
        root + "/register_widget",
        json={"widget_id": "tool", "html": "<p id=v>two</p>", "title": "Tool v2"},
        headers={"X-PyWry-Token": "tool-secret"},
    )
    assert answer.status_code == 200
    assert answer.json() == {"status": "registered", "widget_id": "tool", "url": handle.url}
    page.wait_for_function("() => document.getElementById('v').textContent === 'two'")
    assert page.title() == "Tool v2"
    fresh = httpx.post(
        root + "/register_widget",
        json={"widget_id": "made-by-a-tool", "html": "<p id=v>new</p>"},
        headers={"X-PyWry-Token": "tool-secret"},
    ).json()
    assert fresh["url"] == app.get_widget_url("made-by-a-tool")
    page.goto(fresh["url"])
    assert page.locator("#v").inner_text() == "new"


# ------------------------------------------------------------------ 7. a failing callback
def test_a_failing_callback_reaches_the_pages_console_and_the_server_goes_on(
    make_app, page, caplog
):
    app = make_app()

    def broken(data: Any) -> None:
        raise ValueError("the callback broke")

    handle = app.show(
        "<p/>",
        label="err",
        callbacks={"app:boom": broken, "app:ping": lambda d: handle.emit("app:pong", d)},
    )
    page.goto(handle.url)
    wait_connected(page)
    with (
        caplog.at_level(logging.ERROR, logger="pywry.callbacks"),
        page.expect_console_message(lambda m: "the callback broke" in m.text) as shown,
    ):
        page.evaluate("() => pywry.emit('app:boom', {})")
    message = shown.value
    assert message.type == "error"
    assert "app:boom" in message.text
    assert "ValueError" in message.text
    record = next(r for r in caplog.records if "raised" in r.getMessage())
    assert record.exc_info is not None
    assert record.exc_info[0] is ValueError
    page.evaluate("() => { window.pong = null; pywry.on('app:pong', d => { window.pong = d; }); }")
    page.evaluate("() => pywry.emit('app:ping', 'still serving')")
    page.wait_for_function("() => window.pong === 'still serving'")


# ------------------------------------------------------------------ 8. shutdown
@pytest.mark.timeout(30)
def test_destroy_tells_the_page_which_stops_retrying_and_the_port_is_free(make_app, page):
    app = make_app()
    handle = app.show("<p>bye</p>", label="stop")
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))  # noqa: PLW0108 - Playwright needs a lambda
    page.goto(handle.url)
    wait_connected(page)
    port = urlsplit(handle.url).port
    assert port is not None
    app.destroy()
    with socket.socket() as probe:  # free the moment destroy() returns: a new server binds
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        probe.bind(("127.0.0.1", port))
        probe.listen()
    page.wait_for_selector("#pywry-banner")
    assert "server stopped" in page.locator("#pywry-banner").inner_text()
    assert page.evaluate("() => window.pywry.connected") is False
    page.wait_for_timeout(3_000)  # longer than the first reconnect delay
    assert len(sockets) == 1
