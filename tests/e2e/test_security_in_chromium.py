"""The browser-facing security checks, in a real headless Chromium against the real server."""

from __future__ import annotations

import http.server
import stat
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

pytestmark = pytest.mark.e2e

FOREIGN_PAGE = (
    b"<!DOCTYPE html><html><head><title>elsewhere</title></head><body>other site</body></html>"
)

READ_CROSS_ORIGIN = """async (url) => {
  const out = {};
  try {
    const response = await fetch(url);
    out.cors = 'read ' + (await response.text()).length + ' characters';
  } catch (err) {
    out.cors = 'refused: ' + err.name;
  }
  const opaque = await fetch(url, { mode: 'no-cors' });
  out.opaque = [opaque.type, opaque.status, (await opaque.text()).length];
  return out;
}"""

OPEN_SOCKET = """(url) => new Promise((resolve) => {
  const frames = [];
  const ws = new WebSocket(url, ['pywry.v1', 'pywry.token.guessed']);
  ws.onmessage = (msg) => frames.push(JSON.parse(msg.data).type);
  ws.onclose = (ev) => resolve({ code: ev.code, frames });
})"""


class _Foreign(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(FOREIGN_PAGE)))
        self.end_headers()
        self.wfile.write(FOREIGN_PAGE)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def foreign_site() -> Iterator[str]:
    """Another website: a page served from another port of 127.0.0.1."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Foreign)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_a_page_of_another_origin_cannot_read_a_widget_page_nor_open_its_socket(
    make_app, page, foreign_site
):
    app = make_app()
    handle = app.show("<p>secret content</p>", label="private")
    page.goto(handle.url)
    own = page.evaluate(READ_CROSS_ORIGIN, handle.url)
    assert own["cors"].startswith("read ")  # the same fetch works from the widget's own origin
    page.goto(foreign_site)
    assert page.title() == "elsewhere"
    foreign = page.evaluate(READ_CROSS_ORIGIN, handle.url)
    assert foreign["cors"] == "refused: TypeError"
    assert foreign["opaque"] == ["opaque", 0, 0]
    ws_url = f"ws://{urlsplit(handle.url).netloc}/ws/private"
    refused = page.evaluate(OPEN_SOCKET, ws_url)
    assert refused == {"code": 4001, "frames": ["pywry:auth-error"]}
    assert app.page_count("private") == 0


def test_a_listed_origin_list_refuses_another_sites_socket_with_1008(make_app, page, foreign_site):
    app = make_app(websocket_allowed_origins=["http://only.example"])
    handle = app.show("<p/>", label="listed")
    page.goto(foreign_site)
    ws_url = f"ws://{urlsplit(handle.url).netloc}/ws/listed"
    assert page.evaluate(OPEN_SOCKET, ws_url) == {"code": 1008, "frames": ["pywry:error"]}


# What a tab still open from an earlier run of the script holds: a token no longer valid.
# (A page fulfilled by Playwright's routing counts as a public one and may not open a local
# socket at all, so the stale token is put in where the page opens its socket.)
STALE_TOKEN = """(() => {
  const Native = window.WebSocket;
  window.WebSocket = function (url, protocols) {
    const stale = protocols.map((p) => (p.startsWith('pywry.token.') ? 'pywry.token.stale' : p));
    return new Native(url, stale);
  };
  window.WebSocket.prototype = Native.prototype;
})()"""


def test_a_page_whose_token_is_refused_reloads_at_most_twice_then_says_so(make_app, page):
    app = make_app()
    handle = app.show("<p>stale</p>", label="stale")
    loads: list[str] = []
    page.on("request", lambda r: loads.append(r.url) if r.url == handle.url else None)
    page.add_init_script(STALE_TOKEN)
    page.goto(handle.url)
    page.wait_for_function(
        "() => (document.getElementById('pywry-banner') || {}).textContent"
        " && document.getElementById('pywry-banner').textContent.includes('can no longer connect')"
    )
    assert len(loads) == 3  # the first load and two reloads, then no more
    assert page.evaluate("() => window.pywry.connected") is False
    assert app.page_count("stale") == 0


@pytest.mark.timeout(40)
def test_the_callback_example_runs_over_wss_with_a_self_signed_certificate(
    make_app, browser, tmp_path: Path
):
    app = make_app(ssl="self-signed")
    received: list[Any] = []

    def on_click(data, event_type, label):
        received.append((data, event_type, label))
        handle.emit("app:response", {"message": "Button clicked!"})

    handle = app.show(
        "<button onclick=\"window.pywry.emit('app:click', {})\">Click me</button>",
        callbacks={"app:click": on_click},
    )
    assert handle.url.startswith("https://127.0.0.1:")
    certs = tmp_path / "xdg" / "pywry" / "certs"
    assert stat.S_IMODE((certs / "dev-key.pem").stat().st_mode) == 0o600
    assert (certs / "dev-cert.pem").exists()
    context = browser.new_context(ignore_https_errors=True)
    try:
        tab = context.new_page()
        tab.set_default_timeout(10_000)
        sockets: list[str] = []
        tab.on("websocket", lambda ws: sockets.append(ws.url))
        tab.goto(handle.url)
        tab.evaluate(
            "() => { window.got = null;"
            " window.pywry.on('app:response', d => { window.got = d; }); }"
        )
        tab.wait_for_function("() => window.pywry.connected")
        tab.click("text=Click me")
        tab.wait_for_function("() => window.got !== null")
        assert tab.evaluate("() => window.got") == {"message": "Button clicked!"}
        assert received == [({}, "app:click", handle.label)]
        assert sockets
        assert all(url.startswith("wss://127.0.0.1:") for url in sockets)
    finally:
        context.close()
