"""Large payloads in headless Chromium: 10 MB of JSON and 50 MB of bytes, both ways, and a
page that takes a big event in slowly (or not at all) stalls no other widget."""

from __future__ import annotations

import hashlib
import os
import random
import threading
import time
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.sync.client import connect

from tabs import open_widget

pytestmark = pytest.mark.e2e

MB = 1 << 20

SHA = """async v => {
  const bytes = new Uint8Array(v.buffer || v, v.byteOffset || 0, v.byteLength);
  const hash = await crypto.subtle.digest('SHA-256', bytes);
  return [...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join('');
}"""


@pytest.fixture
def big(make_app: Any) -> Any:
    return make_app(replay_buffer_bytes=160 * MB, max_message_size=64 * MB)


@pytest.mark.timeout(90)
def test_ten_megabytes_of_json_go_both_ways(big, page):
    rng = random.Random(7)
    columns = {name: [rng.random() for _ in range(220_000)] for name in ("x", "y", "z")}
    received: list[Any] = []
    done = threading.Event()

    def on_table(data):
        received.append(data)
        done.set()

    handle = big.show("<p>json</p>", label="j", callbacks={"app:table": on_table})
    open_widget(page, handle.url)
    page.evaluate(
        "() => window.pywry.on('app:columns', d => {"
        " window.sums = Object.fromEntries(Object.entries(d).map(([k, v]) =>"
        " [k, [v.length, v.reduce((a, b) => a + b, 0)]])); })"
    )
    handle.emit("app:columns", columns)
    page.wait_for_function("() => window.sums", timeout=30_000)
    sums = page.evaluate("() => window.sums")
    for name, values in columns.items():
        assert sums[name][0] == len(values)
        assert sums[name][1] == pytest.approx(sum(values), rel=1e-9)
    # The page sends the same size back: about 10 MB of JSON text.
    size = page.evaluate(
        """() => {
          const rows = [];
          for (let i = 0; i < 600000; i++) rows.push(i / 7);
          window.pywry.emit('app:table', {rows, name: 'back'});
          return JSON.stringify(rows).length;
        }"""
    )
    assert size > 9 * MB
    assert done.wait(30)
    assert received[0]["name"] == "back"
    assert received[0]["rows"] == [i / 7 for i in range(600_000)]


@pytest.mark.timeout(120)
def test_fifty_megabytes_of_bytes_go_both_ways(big, page):
    payload = os.urandom(50 * MB)
    back: list[bytes] = []
    done = threading.Event()

    def on_upload(data):
        back.append(data["bytes"])
        done.set()

    handle = big.show("<p>bytes</p>", label="b", callbacks={"app:upload": on_upload})
    open_widget(page, handle.url)
    page.evaluate(
        f"() => window.pywry.on('app:blob', async d => {{ window.sha = await ({SHA})(d); }})"
    )
    handle.emit("app:blob", payload)
    page.wait_for_function("() => window.sha", timeout=60_000)
    assert page.evaluate("() => window.sha") == hashlib.sha256(payload).hexdigest()
    page.evaluate(
        """() => {
          const out = new Uint8Array(50 * 1024 * 1024);
          for (let i = 0; i < out.length; i += 4096) out[i] = (i / 4096) & 255;
          window.pywry.emit('app:upload', {bytes: out});
        }"""
    )
    assert done.wait(60)
    expected = bytearray(50 * MB)
    for i in range(0, len(expected), 4096):
        expected[i] = (i // 4096) & 255
    assert back[0] == expected


def _open_socket_without_reading(app: Any, label: str) -> Any:
    base = urlsplit(app.container.server().base_url)
    token = app.container.gateway().widget(label).token.reveal()
    return connect(
        f"ws://{base.netloc}/ws/{label}?page=frozen",
        subprotocols=["pywry.v1", f"pywry.token.{token}"],  # type: ignore[list-item]
        open_timeout=5,
        proxy=None,
        max_size=None,
        max_queue=1,  # what it does not read stays in the socket: TCP holds the server up
    )


@pytest.mark.timeout(90)
def test_a_page_that_does_not_read_a_big_event_stalls_no_other_widget(big, page):
    frozen_handle = big.show("<p>frozen</p>", label="frozen")
    handle = big.show("<p>quick</p>", label="quick")
    handle.on("app:ping", lambda data: handle.emit("app:pong", data))
    open_widget(page, handle.url)
    page.evaluate("() => window.pywry.on('app:pong', n => { window.pong = n; })")
    payload = os.urandom(60 * MB)
    with _open_socket_without_reading(big, "frozen") as frozen:
        frozen_handle.emit("app:big", payload)
        round_trips = []
        for n in range(1, 11):
            started = time.perf_counter()
            page.evaluate(f"() => window.pywry.emit('app:ping', {n})")
            page.wait_for_function(f"() => window.pong === {n}", timeout=5_000)
            round_trips.append(time.perf_counter() - started)
        # The other widget's round trips stay quick while 60 MB wait for a page that
        # does not read; then that page reads, and gets the event whole.
        assert max(round_trips) < 1.0
        assert sorted(round_trips)[5] < 0.25
        got = bytearray()
        while len(got) < len(payload):
            message = frozen.recv(timeout=30)
            if isinstance(message, bytes):
                got += message
        assert bytes(got) == payload
