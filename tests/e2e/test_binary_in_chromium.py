"""Binary values both ways, in headless Chromium against the real server.

Bytes sent from Python reach the page's handler as typed arrays at the same place in the
data, and what the page sends (typed arrays, ArrayBuffers, DataViews, Blobs, Files) reaches
the callback as ``bytes``: compared byte for byte, through a reconnect in the middle of a
binary event, and against the limits.
"""

from __future__ import annotations

import hashlib
import os
import threading
from typing import Any

import pytest

from pywry import InvalidArgumentError
from tabs import open_widget, wait_connected

pytestmark = pytest.mark.e2e

MB = 1 << 20

# Each handled event as the test compares it: binary values become their bytes' SHA-256
# (hex), with the typed array's name (and dtype and shape, when sent).
DIGEST = """() => {
  window.got = [];
  async function digest(v) {
    if (v instanceof ArrayBuffer || ArrayBuffer.isView(v)) {
      const bytes = new Uint8Array(v.buffer || v, v.byteOffset || 0, v.byteLength);
      const hash = await crypto.subtle.digest('SHA-256', bytes);
      const hex = [...new Uint8Array(hash)].map(b => b.toString(16).padStart(2, '0')).join('');
      const out = {kind: v.constructor.name, sha: hex, len: v.byteLength};
      if (v.dtype) { out.dtype = v.dtype; out.shape = v.shape; }
      return out;
    }
    if (Array.isArray(v)) return Promise.all(v.map(digest));
    if (v && typeof v === 'object') {
      const out = {};
      for (const k of Object.keys(v)) out[k] = await digest(v[k]);
      return out;
    }
    return v;
  }
  let chain = Promise.resolve();
  window.pywry.on('bin:*', (data, type) => {
    chain = chain.then(async () => window.got.push([type, await digest(data)]));
  });
}"""


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seen(data: bytes, kind: str = "Uint8Array") -> dict[str, Any]:
    return {"kind": kind, "sha": sha(data), "len": len(data)}


@pytest.fixture
def shown(make_app: Any, page: Any) -> tuple[Any, Any, Any]:
    app = make_app(replay_buffer_bytes=128 * MB, max_message_size=64 * MB)
    handle = app.show("<p>binary</p>", label="b")
    open_widget(page, handle.url)
    page.evaluate(DIGEST)
    return app, handle, page


def got(page: Any, count: int, timeout: float = 20_000) -> list[Any]:
    page.wait_for_function(f"() => window.got.length >= {count}", timeout=timeout)
    return list(page.evaluate("() => window.got"))


def test_bytes_from_python_reach_the_page_as_typed_arrays_in_their_places(shown):
    _, handle, page = shown
    blob = os.urandom(3 * MB + 17)  # more than one piece
    handle.emit(
        "bin:mixed",
        {
            "name": "x",
            "bytes": b"\x00\x01\xff",
            "rows": [1, bytearray(b"ab"), {"deep": memoryview(b"cd")}],
            "empty": b"",
            "big": blob,
        },
    )
    handle.emit("bin:whole", b"just bytes")
    handle.emit("bin:after", {"n": 1})  # JSON after binary: in order
    assert got(page, 3) == [
        [
            "bin:mixed",
            {
                "name": "x",
                "bytes": seen(b"\x00\x01\xff"),
                "rows": [1, seen(b"ab"), {"deep": seen(b"cd")}],
                "empty": seen(b""),
                "big": seen(blob),
            },
        ],
        ["bin:whole", seen(b"just bytes")],
        ["bin:after", {"n": 1}],
    ]


def test_numpy_arrays_arrive_as_typed_arrays_with_dtype_and_shape(shown):
    numpy = pytest.importorskip("numpy")
    _, handle, page = shown
    grid = numpy.arange(12, dtype=numpy.float64).reshape(3, 4)
    strided = numpy.arange(10, dtype=numpy.int32)[::2]  # not contiguous: sent as a copy
    swapped = numpy.arange(3, dtype=">u2")  # big-endian: sent little-endian
    handle.emit("bin:np", {"grid": grid, "strided": strided, "swapped": swapped})
    [(_, data)] = got(page, 1)
    assert data == {
        "grid": {
            "kind": "Float64Array",
            "sha": sha(grid.astype("<f8").tobytes()),
            "len": 96,
            "dtype": "float64",
            "shape": [3, 4],
        },
        "strided": {
            "kind": "Int32Array",
            "sha": sha(strided.astype("<i4").tobytes()),
            "len": 20,
            "dtype": "int32",
            "shape": [5],
        },
        "swapped": {
            "kind": "Uint16Array",
            "sha": sha(swapped.astype("<u2").tobytes()),
            "len": 6,
            "dtype": "uint16",
            "shape": [3],
        },
    }
    page.evaluate("() => window.pywry.on('bin:values', d => { window.values = [...d]; })")
    handle.emit("bin:values", numpy.array([1.5, -2.0, 1e300]))
    page.wait_for_function("() => window.values")
    assert page.evaluate("() => window.values") == [1.5, -2.0, 1e300]


def test_what_the_page_sends_reaches_the_callback_as_bytes_in_its_place(shown):
    _, handle, page = shown
    received: list[Any] = []
    done = threading.Event()

    def on_drop(data):
        received.append(data)
        if len(received) == 3:
            done.set()

    handle.on("file:dropped", on_drop)
    page.evaluate(
        """async () => {
          const big = new Uint8Array(5 * 1024 * 1024 + 3);
          for (let i = 0; i < big.length; i++) big[i] = (i * 7) & 255;
          window.pywry.emit('file:dropped', {
            name: 'a.bin', bytes: big, floats: new Float32Array([1.5, -2]),
            parts: [new Uint8Array([1, 2]).buffer, new DataView(new Uint8Array([3]).buffer)],
            empty: new Uint8Array(0), n: 7,
          });
          // A Blob is read first; what is emitted after it still arrives after it.
          const file = new File([new Uint8Array([9, 8, 7])], 'f.txt');
          await window.pywry.emit('file:dropped', {name: file.name, bytes: file});
        }"""
    )
    page.evaluate("() => window.pywry.emit('file:dropped', {last: true})")
    assert done.wait(20)
    first, second, third = received
    big = bytes((i * 7) & 255 for i in range(5 * MB + 3))
    assert first["bytes"] == big
    assert first["floats"] == bytes.fromhex("0000c03f000000c0")
    assert first["parts"] == [b"\x01\x02", b"\x03"]
    assert first["empty"] == b""
    assert (first["name"], first["n"]) == ("a.bin", 7)
    assert second == {"name": "f.txt", "bytes": b"\x09\x08\x07"}
    assert third == {"last": True}


def test_a_call_carries_bytes_both_ways(shown):
    _, handle, page = shown
    handle.on("app:reverse", lambda data: bytes(reversed(data["bytes"])))
    result = page.evaluate(
        """async () => {
          const back = await window.pywry.call('app:reverse', {bytes: new Uint8Array([1, 2, 3])});
          return [back.constructor.name, [...back]];
        }"""
    )
    assert result == ["Uint8Array", [3, 2, 1]]


# The page reads each binary message slowly, so a big event is still arriving when the
# server cuts the socket.
SLOW_READER = """() => {
  const Real = window.WebSocket;
  window.pieces = 0;
  window.WebSocket = function (url, protocols) {
    const ws = new Real(url, protocols);
    ws.addEventListener('message', m => {
      if (typeof m.data === 'string') return;
      window.pieces++;
      const until = performance.now() + 15;
      while (performance.now() < until) {}
    });
    return ws;
  };
}"""


@pytest.mark.timeout(60)
def test_a_binary_event_cut_off_midway_arrives_once_whole_after_the_reconnect(make_app, page):
    app = make_app(replay_buffer_bytes=128 * MB)
    handle = app.show("<p>cut</p>", label="cut")
    page.add_init_script(f"({SLOW_READER})()")
    sockets: list[Any] = []
    page.on("websocket", lambda ws: sockets.append(ws))  # noqa: PLW0108 - Playwright needs a lambda
    open_widget(page, handle.url)
    page.evaluate(DIGEST)
    payload = os.urandom(40 * MB)
    handle.emit("bin:before", b"1")
    handle.emit("bin:big", {"payload": payload})
    handle.emit("bin:after", b"2")
    page.wait_for_function("() => window.pieces >= 3", timeout=20_000)
    assert app.container.gateway().drop_connections("cut") == 1
    assert page.evaluate("() => window.got.length") < 3  # the big one is not whole yet
    wait_connected(page, 20_000)
    assert got(page, 3, timeout=40_000) == [
        ["bin:before", seen(b"1")],
        ["bin:big", {"payload": seen(payload)}],
        ["bin:after", seen(b"2")],
    ]
    assert len(sockets) == 2  # one reconnect, no reload


def test_events_over_the_limits_are_refused_where_they_were_emitted(make_app, page):
    app = make_app(max_message_size=1 * MB, replay_buffer_bytes=2 * MB)
    handle = app.show("<p>limits</p>", label="lim")
    open_widget(page, handle.url)
    with pytest.raises(InvalidArgumentError, match="replay_buffer_bytes"):
        handle.emit("bin:big", b"x" * (2 * MB + 1))
    errors = page.evaluate(
        """async () => {
          const out = [];
          try { window.pywry.emit('app:big', {b: new Uint8Array(1024 * 1024)}); }
          catch (e) { out.push(e.message); }
          try { await window.pywry.emit('app:big', {b: new Blob([new Uint8Array(1024 * 1024)])}); }
          catch (e) { out.push(e.message); }
          out.push(window.pywry.connected);
          return out;
        }"""
    )
    assert len(errors) == 3
    assert all("too big to send" in e and "accepts 1048576" in e for e in errors[:2])
    assert errors[2] is True  # refused in the page: the socket is untouched


@pytest.mark.timeout(60)
def test_binary_events_a_page_sends_while_cut_off_arrive_once_in_order(make_app, page):
    app = make_app(max_message_size=8 * MB)
    received: list[Any] = []
    done = threading.Event()

    def on_part(data):
        received.append(data)
        if len(received) == 6:
            done.set()

    handle = app.show("<p>up</p>", label="up", callbacks={"app:part": on_part})
    open_widget(page, handle.url)
    send = """n => window.pywry.emit('app:part', {
        n, bytes: new Uint8Array(1024 * 1024 + n).fill(n)})"""
    for n in range(3):
        page.evaluate(send, n)
    assert app.container.gateway().drop_connections("up") == 1
    page.wait_for_function("() => !window.pywry.connected")
    for n in range(3, 6):
        page.evaluate(send, n)  # queued while the socket is down
    wait_connected(page, 20_000)
    assert done.wait(20)
    page.wait_for_function("() => window.pywry.pending === 0")
    assert [r["n"] for r in received] == list(range(6))  # once each, in order
    assert all(r["bytes"] == bytes([r["n"]]) * (MB + r["n"]) for r in received)
