"""Secure by default, checked against the real server on 127.0.0.1 with real clients.

Tokens, origins, host names, CORS, the internal API, TLS through ``show()``, the limits, and
secrets kept out of logs; a property-based test throws random input at one server.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from certs import write_pair
from pywry import PyWry, SettingsError, TlsError, UnknownWidgetError, WindowMode
from pywry.adapters.http.cors import CorsPolicy

pytestmark = pytest.mark.server

PASSWORD = "correct horse battery staple"


# ------------------------------------------------------------------------ helpers


def root_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def token_of(app: PyWry, label: str) -> str:
    return app.container.gateway().widget(label).token.reveal()


def open_socket(
    app: PyWry,
    label: str,
    *,
    token: str | None = "own",
    protocols: list[str] | None = None,
    origin: str | None = None,
    query: str = "",
    **options: Any,
) -> ClientConnection:
    """A WebSocket to ``label``'s route offering ``pywry.v1`` and the given token."""
    base = app.container.server().base_url
    assert base is not None
    parts = urlsplit(base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    if protocols is None:
        offered = token_of(app, label) if token == "own" else token
        protocols = ["pywry.v1"] + ([f"pywry.token.{offered}"] if offered else [])
    headers = {"Origin": origin} if origin is not None else None
    return connect(
        f"{scheme}://{parts.netloc}/ws/{label}{query}",
        subprotocols=protocols,  # type: ignore[arg-type]
        additional_headers=headers,
        **{"open_timeout": 5, "close_timeout": 2, "proxy": None, **options},
    )


# Protocol frames a resumable page gets besides events: skipped where a test reads events.
_NOISE = frozenset({"pywry:hello", "pywry:ack"})
_pending: weakref.WeakKeyDictionary[ClientConnection, list[dict[str, Any]]] = (
    weakref.WeakKeyDictionary()
)


def next_frame(ws: ClientConnection, timeout: float = 5) -> dict[str, Any]:
    """The next frame the server sent (batches unpacked), protocol bookkeeping skipped."""
    queue = _pending.setdefault(ws, [])
    deadline = time.monotonic() + timeout
    while not queue:
        message = json.loads(ws.recv(timeout=max(0.01, deadline - time.monotonic())))
        queue.extend(f for f in message.get("events", [message]) if f.get("type") not in _NOISE)
    return queue.pop(0)


def close_code(ws: ClientConnection, timeout: float = 5) -> int:
    """Read until the server closes the socket; the code it closed with."""
    deadline = time.monotonic() + timeout
    with pytest.raises(ConnectionClosed) as closed:
        while time.monotonic() < deadline:
            ws.recv(timeout=max(0.01, deadline - time.monotonic()))
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def refusal(ws: ClientConnection) -> tuple[str, str, int]:
    """The in-band error frame of a refused socket, then its close code."""
    frame = next_frame(ws)
    return frame["type"], frame["data"]["error"], close_code(ws)


def echo_round_trip(app: PyWry, label: str) -> Any:
    """Open a page of ``label`` (whose callbacks echo ``app:ping``) and round-trip once."""
    with open_socket(app, label) as ws:
        ws.send(json.dumps({"type": "app:ping", "data": label}))
        return next_frame(ws)["data"]


def echoing(app: PyWry, label: str) -> Callable[[Any], None]:
    def on_ping(data: Any) -> None:
        app.emit("app:pong", data, label=label)

    return on_ping


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def wait_until(condition: Callable[[], bool], timeout: float = 5) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return condition()


# ------------------------------------------------------------------ tokens


def test_a_client_offering_only_its_token_gets_the_token_protocol_back(make_app):
    app = make_app()
    app.show("<p/>", label="t", callbacks={"app:ping": echoing(app, "t")})
    own = f"pywry.token.{token_of(app, 't')}"
    with open_socket(app, "t", protocols=[own]) as ws:
        assert ws.subprotocol == own
        ws.send(json.dumps({"type": "app:ping", "data": 1}))
        assert next_frame(ws)["data"] == 1


@pytest.mark.parametrize(
    ("label", "token", "error"),
    [("t", None, "auth"), ("t", "wrong", "auth"), ("nobody", "own-of-t", "unknown-widget")],
)
def test_a_missing_or_wrong_token_or_unknown_widget_is_told_in_band_then_closed_4001(
    make_app, label, token, error
):
    app = make_app()
    fired = threading.Event()
    app.show("<p/>", label="t", callbacks={"*": lambda d: fired.set()})
    offered = token_of(app, "t") if token == "own-of-t" else token
    with open_socket(app, label, token=offered) as ws:
        assert ws.subprotocol == "pywry.v1"
        assert refusal(ws) == ("pywry:auth-error", error, 4001)
    assert app.page_count("t") == 0
    assert not fired.is_set()


def test_with_require_token_off_a_page_without_a_token_is_admitted(make_app):
    app = make_app(websocket_require_token=False)
    app.show("<p/>", label="open", callbacks={"app:ping": echoing(app, "open")})
    with open_socket(app, "open", token=None) as ws:
        ws.send(json.dumps({"type": "app:ping", "data": "in"}))
        assert next_frame(ws)["data"] == "in"


# ----------------------------------------------------------------- origins


def test_an_empty_origin_list_accepts_any_origin(make_app):
    app = make_app()
    app.show("<p/>", label="o", callbacks={"app:ping": echoing(app, "o")})
    for origin in ("http://elsewhere.example", "null", None):
        with open_socket(app, "o", origin=origin) as ws:
            ws.send(json.dumps({"type": "app:ping", "data": origin}))
            assert next_frame(ws)["data"] == origin


@pytest.mark.parametrize("origin", ["http://evil.example", "null", None, "http://good.example/"])
def test_with_an_origin_list_any_other_origin_is_closed_1008_after_an_in_band_error(
    make_app, origin
):
    app = make_app(websocket_allowed_origins=["http://good.example"])
    fired = threading.Event()
    app.show("<p/>", label="o", callbacks={"*": lambda d: fired.set()})
    with open_socket(app, "o", origin=origin) as ws:
        assert refusal(ws) == ("pywry:error", "origin", 1008)
    assert not fired.is_set()


@pytest.mark.parametrize("seq", [0, -5, 2**53, 2**64, "7", 1.5, True])
def test_a_frame_number_a_page_cannot_have_sent_is_refused_in_band(make_app, seq):
    # Pages number their frames from 1, and JavaScript counts exactly up to 2**53 - 1. A huge
    # number taken as handled would make every later frame of the page look like a duplicate.
    app = make_app()
    app.show("<p/>", label="q", callbacks={"app:ping": echoing(app, "q")})
    with open_socket(app, "q", query="?page=p1") as ws:
        ws.send(json.dumps({"seq": seq, "type": "app:ping", "data": "bad"}))
        error = next_frame(ws)
        assert (error["type"], error["data"]["error"]) == ("pywry:error", "bad-frame")
        assert "seq" in error["data"]["message"]
        ws.send(json.dumps({"seq": 1, "type": "app:ping", "data": "good"}))
        assert next_frame(ws)["data"] == "good"  # the page goes on, and its next frame counts


def test_a_listed_origin_is_accepted(make_app):
    app = make_app(websocket_allowed_origins=["http://good.example", "null"])
    app.show("<p/>", label="o", callbacks={"app:ping": echoing(app, "o")})
    with open_socket(app, "o", origin="http://good.example") as ws:
        ws.send(json.dumps({"type": "app:ping", "data": "listed"}))
        assert next_frame(ws)["data"] == "listed"
    # Even listed explicitly, "null" (file:// pages, sandboxed frames) is refused.
    with open_socket(app, "o", origin="null") as ws:
        assert refusal(ws) == ("pywry:error", "origin", 1008)


def test_with_an_origin_list_the_widgets_own_page_still_connects(make_app):
    app = make_app(websocket_allowed_origins=["https://dashboard.example"])
    handle = app.show("<p/>", label="o", callbacks={"app:ping": echoing(app, "o")})
    own = "http://" + urlsplit(handle.url).netloc
    with open_socket(app, "o", origin=own) as ws:
        ws.send(json.dumps({"type": "app:ping", "data": "own page"}))
        assert next_frame(ws)["data"] == "own page"
    # Same host, another port: another origin, not listed.
    other = f"http://127.0.0.1:{urlsplit(handle.url).port + 1}"
    with open_socket(app, "o", origin=other) as ws:
        assert refusal(ws) == ("pywry:error", "origin", 1008)


def test_with_the_host_check_off_the_own_origin_rule_admits_no_rebinding_page(make_app):
    # allowed_hosts = ["*"]: Host is not vetted, so a rebinding page's Host and Origin match
    # each other; only the list decides then.
    app = make_app(allowed_hosts=["*"], websocket_allowed_origins=["https://dashboard.example"])
    app.show("<p/>", label="o")
    port = urlsplit(app.get_widget_url("o")).port
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    with connect(
        f"ws://evil.example:{port}/ws/o",
        sock=raw,
        subprotocols=["pywry.v1", f"pywry.token.{token_of(app, 'o')}"],  # type: ignore[list-item]
        additional_headers={"Origin": f"http://evil.example:{port}"},
        open_timeout=5,
        proxy=None,
    ) as ws:
        assert refusal(ws) == ("pywry:error", "origin", 1008)


def test_origins_are_listed_as_users_write_them(make_app):
    app = make_app(websocket_allowed_origins=[" HTTPS://Dashboard.Example/ "])
    app.show("<p/>", label="o", callbacks={"app:ping": echoing(app, "o")})
    with open_socket(app, "o", origin="https://dashboard.example") as ws:
        ws.send(json.dumps({"type": "app:ping", "data": "listed"}))
        assert next_frame(ws)["data"] == "listed"


# ------------------------------------------------------------------- hosts


def test_a_socket_for_a_foreign_host_is_refused(make_app):
    app = make_app()
    handle = app.show("<p/>", label="h")
    port = urlsplit(handle.url).port
    raw = socket.create_connection(("127.0.0.1", port), timeout=5)
    token = token_of(app, "h")
    with pytest.raises(InvalidStatus) as refused:
        connect(
            f"ws://evil.example:{port}/ws/h",
            sock=raw,
            subprotocols=["pywry.v1", f"pywry.token.{token}"],  # type: ignore[list-item]
            open_timeout=5,
            proxy=None,
        )
    assert refused.value.response.status_code == 403
    assert app.page_count("h") == 0


def test_allowed_hosts_and_the_servers_own_names_are_answered(make_app):
    app = make_app(allowed_hosts=["pywry.test"])
    handle = app.show("<p>mine</p>", label="h")
    port = urlsplit(handle.url).port
    for host in ("pywry.test", f"pywry.test:{port}", f"localhost:{port}", f"[::1]:{port}"):
        response = httpx.get(handle.url, headers={"Host": host})
        assert (host, response.status_code) == (host, 200)
        assert "<p>mine</p>" in response.text
    for host in (f"127.0.0.1.evil.example:{port}", f"localhost.evil.example:{port}", ""):
        response = httpx.get(handle.url, headers={"Host": host})
        assert (host, response.status_code) == (host, 400)
        assert "mine" not in response.text


def test_a_host_given_as_an_address_is_answered_since_rebinding_needs_a_name(make_app):
    # What a browser on another machine sends for http://<this machine's address>:port/.
    app = make_app()
    handle = app.show("<p>mine</p>", label="h")
    port = urlsplit(handle.url).port
    for host in (f"192.0.2.2:{port}", f"[fd00::2]:{port}", "10.1.2.3"):
        response = httpx.get(handle.url, headers={"Host": host})
        assert (host, response.status_code) == (host, 200)
    for host in (f"192.0.2.2.evil.example:{port}", f"[fd00::2].evil:{port}", "1.2.3"):
        response = httpx.get(handle.url, headers={"Host": host})
        assert (host, response.status_code) == (host, 400)


# -------------------------------------------------------------------- CORS


def acao(response: httpx.Response) -> str | None:
    return response.headers.get("access-control-allow-origin")


def test_the_api_routes_answer_cross_origin_calls_with_the_default_wildcard(make_app):
    app = make_app(internal_api_token="api-secret")
    handle = app.show("<p/>", label="c")
    root = root_of(handle.url)
    origin = {"Origin": "http://tool.example"}
    health = httpx.get(root + "/health", headers={**origin, "X-PyWry-Token": "api-secret"})
    assert (health.status_code, acao(health)) == (200, "*")
    assert "access-control-allow-credentials" not in health.headers
    preflight = httpx.options(
        root + "/register_widget",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "X-PyWry-Token, Content-Type",
        },
    )
    assert preflight.status_code == 204
    assert acao(preflight) == "*"
    assert preflight.headers["access-control-allow-methods"] == "POST"
    assert preflight.headers["access-control-allow-headers"] == "x-pywry-token, content-type"
    # Without the internal token the answer is still the 404 of a route that is not there.
    hidden = httpx.get(root + "/health", headers=origin)
    assert hidden.status_code == 404


def test_cors_settings_are_honoured_on_the_api(make_app):
    app = make_app(
        internal_api_token="api-secret",
        cors_origins=["http://tool.example"],
        cors_allow_methods=["GET", "POST"],
        cors_allow_headers=["X-PyWry-Token"],
        cors_allow_credentials=True,
    )
    handle = app.show("<p/>", label="c")
    root = root_of(handle.url)
    listed = {"Origin": "http://tool.example"}
    health = httpx.get(root + "/health", headers={**listed, "X-PyWry-Token": "api-secret"})
    assert acao(health) == "http://tool.example"
    assert health.headers["access-control-allow-credentials"] == "true"
    assert "Origin" in health.headers.get_list("vary")
    ask = {**listed, "Access-Control-Request-Method": "POST"}
    ok = httpx.options(
        root + "/disconnect/c", headers={**ask, "Access-Control-Request-Headers": "x-pywry-token"}
    )
    assert ok.status_code == 204
    assert acao(ok) == "http://tool.example"
    assert ok.headers["access-control-allow-methods"] == "GET, POST"
    assert ok.headers["access-control-allow-headers"] == "x-pywry-token"
    assert ok.headers["access-control-allow-credentials"] == "true"
    refused = [
        httpx.options(root + "/health", headers={**ask, "Origin": "http://evil.example"}),
        httpx.options(root + "/health", headers={**ask, "Access-Control-Request-Method": "PUT"}),
        httpx.options(root + "/health", headers={**ask, "Access-Control-Request-Headers": "x-a"}),
    ]
    for response in refused:
        assert response.status_code == 400
        assert acao(response) is None
    other = httpx.get(
        root + "/health", headers={"Origin": "http://evil.example", "X-PyWry-Token": "api-secret"}
    )
    assert (other.status_code, acao(other)) == (200, None)


@pytest.mark.parametrize("origins", [["*"], ["http://tool.example"]])
def test_pages_the_bridge_script_sockets_and_unknown_routes_never_send_cors_headers(
    make_app, origins
):
    app = make_app(cors_origins=origins)
    handle = app.show("<p>secret page</p>", label="c")
    root = root_of(handle.url)
    page = httpx.get(handle.url)
    script = page.text.split('<script src="')[1].split('"')[0].replace("&amp;", "&")
    origin = {"Origin": "http://tool.example"}
    ask = {**origin, "Access-Control-Request-Method": "GET"}
    answers = [
        httpx.get(handle.url, headers=origin),
        httpx.options(handle.url, headers=ask),
        httpx.get(root + script, headers=origin),
        httpx.options(root + script, headers=ask),
        httpx.get(root + "/widget/nobody", headers=origin),
        httpx.get(root + "/nothing", headers=origin),
        httpx.get(root + "/ws/c", headers=origin),
    ]
    for response in answers:
        leaked = [k for k in response.headers if k.lower().startswith("access-control-")]
        assert (str(response.request.url), leaked) == (str(response.request.url), [])


def test_the_wildcard_origin_with_credentials_is_refused_naming_keys_and_sources(
    monkeypatch: pytest.MonkeyPatch,
):
    with pytest.raises(SettingsError) as caught:
        PyWry(mode=WindowMode.BROWSER, settings={"server": {"cors_allow_credentials": True}})
    message = str(caught.value)
    assert "server.cors_allow_credentials = true (from PyWry(settings=...))" in message
    assert "server.cors_origins = ['*'] (from the defaults)" in message
    assert "list the origins" in message
    monkeypatch.setenv("PYWRY_SERVER__CORS_ORIGINS", "http://a.example,*")
    monkeypatch.setenv("PYWRY_SERVER__CORS_ALLOW_CREDENTIALS", "true")
    with pytest.raises(SettingsError, match="environment variable PYWRY_SERVER__CORS_ORIGINS"):
        PyWry(mode=WindowMode.BROWSER)
    monkeypatch.setenv("PYWRY_SERVER__CORS_ORIGINS", "http://a.example")
    assert PyWry(mode=WindowMode.BROWSER).settings.server.cors_allow_credentials


def test_the_cors_policy_itself_refuses_the_wildcard_with_credentials():
    with pytest.raises(SettingsError, match="cors_allow_credentials"):
        CorsPolicy(origins=[" * "], methods=["*"], headers=["*"], credentials=True)


# ------------------------------------------------------------ internal API


def test_the_internal_api_header_name_is_configurable_and_the_token_per_process(make_app):
    named = make_app(internal_api_header="X-Tool-Key", internal_api_token="k")
    root = root_of(named.show("<p/>", label="a").url)
    assert httpx.get(root + "/health", headers={"X-PyWry-Token": "k"}).status_code == 404
    assert httpx.get(root + "/health", headers={"X-Tool-Key": "k"}).status_code == 200
    first, second = make_app(), make_app()
    roots = [root_of(app.show("<p/>", label="a").url) for app in (first, second)]
    tokens = [app.container.internal_token().reveal() for app in (first, second)]
    assert tokens[0] != tokens[1]
    assert min(len(t) for t in tokens) >= 40
    assert httpx.get(roots[0] + "/health", headers={"X-PyWry-Token": tokens[1]}).status_code == 404
    assert httpx.get(roots[0] + "/health", headers={"X-PyWry-Token": tokens[0]}).status_code == 200


def test_a_forged_disconnect_fires_no_callback_and_leaves_block_waiting(make_app):
    app = make_app(reconnect_grace=0.2)
    goodbyes: list[Any] = []
    handle = app.show("<p/>", label="d", callbacks={"pywry:disconnect": goodbyes.append})
    url = root_of(handle.url) + "/disconnect/d"
    with open_socket(app, "d", query="?page=p1"):
        returned = threading.Event()
        threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()
        for body in ({"page": "p1"}, {"token": "nope", "page": "p1"}, {"token": None}):
            assert httpx.post(url, content=json.dumps(body)).status_code == 403
        assert httpx.post(url, content=b"\xff not json").status_code == 403
        assert not returned.wait(0.5)
        assert goodbyes == []
        assert app.get_labels() == ["d"]
    assert returned.wait(5)


# --------------------------------------------------------------------- TLS


@pytest.mark.timeout(30)
@pytest.mark.parametrize("traditional", [False, True], ids=["pkcs8", "traditional"])
def test_an_encrypted_key_serves_https_and_wss_through_show(make_app, tmp_path, traditional):
    import ssl

    certfile, keyfile = write_pair(tmp_path, password=PASSWORD, traditional=traditional)
    marker = b"ENCRYPTED PRIVATE KEY" if not traditional else b"Proc-Type: 4,ENCRYPTED"
    assert marker in keyfile.read_bytes()
    app = make_app(
        ssl_certfile=str(certfile), ssl_keyfile=str(keyfile), ssl_keyfile_password=PASSWORD
    )
    copies_before = set(Path(tempfile.gettempdir()).glob("pywry-tls-*"))
    handle = app.show("<p>over tls</p>", label="s", callbacks={"app:ping": echoing(app, "s")})
    assert handle.url.startswith("https://")
    # The decrypted copy is gone once the server started: a SIGTERM cannot leave it behind.
    assert set(Path(tempfile.gettempdir()).glob("pywry-tls-*")) <= copies_before
    trust = ssl.create_default_context(cafile=str(certfile))
    page = httpx.get(handle.url, verify=trust)
    assert (page.status_code, "<p>over tls</p>" in page.text) == (200, True)
    # The asyncio client: the threaded one reads and writes one TLS socket from two threads
    # at once and, now and then, never sees the handshake answer.
    protocols = ["pywry.v1", f"pywry.token.{token_of(app, 's')}"]

    async def round_trip() -> Any:
        url = f"wss://{urlsplit(handle.url).netloc}/ws/s"
        async with websockets.connect(url, subprotocols=protocols, ssl=trust, proxy=None) as ws:
            await ws.send(json.dumps({"type": "app:ping", "data": "wss"}))
            while True:
                message = json.loads(await asyncio.wait_for(ws.recv(), 5))
                for frame in message.get("events", [message]):
                    if frame.get("type") == "app:pong":
                        return frame["data"]

    assert asyncio.run(round_trip()) == "wss"


def _wrong_password(tmp: Path) -> tuple[dict[str, str], Path, str]:
    cert, key = write_pair(tmp, password=PASSWORD)
    files = {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}
    return {**files, "ssl_keyfile_password": "not-the-password"}, key, "password is wrong"


def _missing_key(tmp: Path) -> tuple[dict[str, str], Path, str]:
    cert, _ = write_pair(tmp)
    missing = tmp / "missing-key.pem"
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(missing)}, missing, "does not exist"


def _mismatched_key(tmp: Path) -> tuple[dict[str, str], Path, str]:
    (tmp / "a").mkdir()
    (tmp / "b").mkdir()
    cert, _ = write_pair(tmp / "a")
    _, other = write_pair(tmp / "b")
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(other)}, other, "does not belong"


def _expired(tmp: Path) -> tuple[dict[str, str], Path, str]:
    cert, key = write_pair(tmp, not_after=datetime.now(UTC) - timedelta(days=1))
    return {"ssl_certfile": str(cert), "ssl_keyfile": str(key)}, cert, "expired on"


@pytest.mark.parametrize(
    "setup",
    [_wrong_password, _missing_key, _mismatched_key, _expired],
    ids=["wrong-password", "missing-file", "mismatched-key", "expired-cert"],
)
def test_bad_tls_material_fails_show_naming_the_file_and_serves_nothing(
    make_app, tmp_path, setup, capfd
):
    files, named, problem = setup(tmp_path)
    port = free_port()
    app = make_app(port=port, **files)
    with pytest.raises(TlsError) as caught:
        app.show("<p/>", label="x")
    message = str(caught.value)
    assert str(named) in message
    assert problem in message
    assert PASSWORD not in message
    assert "not-the-password" not in message
    assert app.container.server().base_url is None
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"http://127.0.0.1:{port}/widget/x", timeout=2)
    assert port_is_free(port)
    out, err = capfd.readouterr()
    assert "Traceback" not in out + err


# ------------------------------------------------------------------ limits


def test_an_oversize_frame_is_answered_then_closed_1009_and_other_widgets_go_on(make_app):
    app = make_app(max_message_size=1024)
    huge: list[Any] = []
    app.show(
        "<p/>", label="big", callbacks={"app:huge": huge.append, "app:ping": echoing(app, "big")}
    )
    app.show("<p/>", label="calm", callbacks={"app:ping": echoing(app, "calm")})
    with open_socket(app, "calm") as calm, open_socket(app, "big") as big:
        big.send(json.dumps({"type": "app:huge", "data": "x" * 2000}))
        frame = next_frame(big)
        assert (frame["type"], frame["data"]["error"]) == ("pywry:error", "too-big")
        assert close_code(big) == 1009
        calm.send(json.dumps({"type": "app:ping", "data": "fine"}))
        assert next_frame(calm)["data"] == "fine"
    assert echo_round_trip(app, "big") == "big"  # the widget itself still admits pages
    assert huge == []


def test_a_page_over_the_inbound_rate_is_slowed_down_and_other_widgets_are_not(make_app):
    app = make_app(max_inbound_rate=20)
    heard: list[Any] = []
    done = threading.Event()

    def on_n(data: Any) -> None:
        heard.append(data)
        if data == 60:
            done.set()

    app.show("<p/>", label="fast", callbacks={"app:n": on_n, "app:ping": echoing(app, "fast")})
    app.show("<p/>", label="calm", callbacks={"app:ping": echoing(app, "calm")})
    burst = {"events": [{"type": "app:n", "data": i} for i in range(60)]}
    with open_socket(app, "fast") as fast, open_socket(app, "calm") as calm:
        start = time.monotonic()
        fast.send(json.dumps(burst))  # three seconds' allowance at once
        fast.send(json.dumps({"type": "app:n", "data": 60}))
        calm.send(json.dumps({"type": "app:ping", "data": "unaffected"}))
        assert next_frame(calm)["data"] == "unaffected"
        calm_took = time.monotonic() - start
        assert done.wait(10)
        fast_took = time.monotonic() - start
        assert heard == list(range(61))  # slowed down, nothing dropped, in order
        assert calm_took < 1.0
        assert fast_took >= 1.5  # 40 frames over a rate of 20 per second
        fast.send(json.dumps({"type": "app:ping", "data": "still up"}))
        assert next_frame(fast)["data"] == "still up"


def test_a_widget_takes_at_most_max_pages_and_other_widgets_are_unaffected(make_app):
    app = make_app(max_pages_per_widget=2)
    app.show("<p/>", label="full", callbacks={"app:ping": echoing(app, "full")})
    app.show("<p/>", label="other", callbacks={"app:ping": echoing(app, "other")})
    with open_socket(app, "full") as first, open_socket(app, "full") as second:
        assert wait_until(lambda: app.page_count("full") == 2)
        with open_socket(app, "full") as third:
            assert refusal(third) == ("pywry:error", "too-many-pages", 1008)
        assert echo_round_trip(app, "other") == "other"
        second.send(json.dumps({"type": "app:ping", "data": "still"}))
        assert next_frame(second)["data"] == "still"
        second.close()
        assert wait_until(lambda: app.page_count("full") == 1)
        assert echo_round_trip(app, "full") == "full"
        # The first page stayed connected throughout and heard both echoes of its widget.
        assert [next_frame(first)["data"] for _ in range(2)] == ["still", "full"]


# --------------------------------------------------------- secrets kept in


_CLIENT_LOGGERS = ("websockets", "httpx", "httpcore")


@pytest.mark.timeout(30)
def test_the_token_never_reaches_a_log_line_a_repr_or_an_error(make_app, caplog, capfd):
    caplog.set_level(logging.DEBUG)
    for name in ("pywry", "granian", "granian.access", "litestar"):
        caplog.set_level(logging.DEBUG, logger=name)
    app = make_app(log_level="debug", access_log=True)
    handle = app.show(
        "<p>logged</p>", label="secret", callbacks={"app:ping": echoing(app, "secret")}
    )
    token = token_of(app, "secret")
    httpx.get(handle.url)
    httpx.post(root_of(handle.url) + "/disconnect/secret", content=json.dumps({"token": "x"}))
    with open_socket(app, "secret", token="wrong-token") as ws:
        auth_error = next_frame(ws)
        close_code(ws)
    with open_socket(app, "secret", query="?page=p1") as ws:
        ws.send(json.dumps({"type": "app:ping", "data": "hello"}))
        assert next_frame(ws)["data"] == "hello"
        ws.send("not json")
        bad_frame = next_frame(ws)
    httpx.post(
        root_of(handle.url) + "/disconnect/secret",
        content=json.dumps({"token": token, "page": "p1"}),
    )
    texts = [
        repr(handle),
        repr(app.container.gateway().widget("secret")),
        repr(app.settings),
        json.dumps(auth_error),
        json.dumps(bad_frame),
        handle.url,
    ]
    with pytest.raises(UnknownWidgetError) as unknown:
        app.emit("app:x", 1, label="nobody")
    texts.append(str(unknown.value))
    app.destroy()
    out, err = capfd.readouterr()
    # The test's own clients log their handshakes (with the token they offer): not the server.
    server_records = [r for r in caplog.records if not r.name.startswith(_CLIENT_LOGGERS)]
    logged = "\n".join(caplog.handler.format(record) for record in server_records)
    assert any(record.name.startswith("pywry") for record in server_records)
    assert any(record.name.startswith("granian.access") for record in server_records)
    for text in [*texts, logged, out, err]:
        assert token not in text
    assert "wrong-token" not in logged + out + err


# ------------------------------------------------------------ fuzzing


_TOKEN_CHARS = "!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
_PATH_CHARS = _TOKEN_CHARS + '/?=;:@,[]()<>"{}\\'
_SKIPPED_HEADERS = ("host", "content-length", "transfer-encoding", "connection")
_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
_frames = st.one_of(
    st.text(max_size=300),
    st.binary(max_size=300),
    _json_values.map(json.dumps),
    st.builds(
        lambda name, data, seq: json.dumps({"type": name, "data": data, "seq": seq}),
        st.sampled_from(["app:x", "pywry:ready", "pywry:evil", "bad", ""]) | st.text(max_size=12),
        _json_values,
        st.integers(min_value=-5, max_value=10**20) | st.none(),
    ),
    st.lists(st.builds(lambda d: {"type": "app:x", "data": d}, _json_values), max_size=5).map(
        lambda events: json.dumps({"events": events})
    ),
)
_requests = st.tuples(
    st.sampled_from(["GET", "POST", "OPTIONS", "HEAD", "DELETE", "PUT"]),
    st.one_of(
        st.text(_PATH_CHARS, max_size=40).map(lambda p: "/" + p),
        st.sampled_from(["/health", "/register_widget", "/disconnect/guarded", "/widget/guarded"]),
    ),
    st.lists(
        st.tuples(
            st.text(_TOKEN_CHARS, min_size=1, max_size=20)
            | st.sampled_from(["Origin", "Access-Control-Request-Method", "X-PyWry-Token"]),
            st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=60),
        ),
        max_size=5,
    ),
)


def _raw_http(port: int, method: str, path: str, headers: list[tuple[str, str]]) -> int:
    """Send one hand-made request; the status answered, 0 if the server just closed."""
    lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{port}"]
    lines += [f"{k}: {v}" for k, v in headers if k.lower() not in _SKIPPED_HEADERS]
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall("\r\n".join([*lines, "Connection: close", "", ""]).encode())
        head = conn.recv(64)
    return int(head.split(b" ", 2)[1]) if head else 0


@pytest.mark.timeout(90)
def test_random_frames_headers_and_paths_never_stop_the_server_nor_reach_a_callback(make_app):
    app = make_app()
    heard: list[Any] = []
    guarded = app.show("<p/>", label="guarded", callbacks={"*": heard.append})
    app.show("<p/>", label="fuzz", callbacks={"app:ping": echoing(app, "fuzz")})
    port = urlsplit(guarded.url).port
    assert port is not None
    statuses: set[int] = set()
    kinds: list[str] = []

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(
        kind=st.sampled_from(["http", "unauthenticated", "authenticated"]),
        request=_requests,
        frames=st.lists(_frames, min_size=1, max_size=4),
        protocols=st.lists(st.text(_TOKEN_CHARS, min_size=1, max_size=30), max_size=3),
    )
    def throw(kind, request, frames, protocols):
        kinds.append(kind)
        if kind == "http":
            status = _raw_http(port, *request)
            statuses.add(status)
            assert status == 0 or 100 <= status < 500, request
            return
        label = "guarded" if kind == "unauthenticated" else "fuzz"
        token = token_of(app, label)
        offered = [p for p in protocols if token not in p]
        if kind == "authenticated":
            offered = ["pywry.v1", f"pywry.token.{token}", *offered]
        with open_socket(app, label, protocols=offered) as ws:
            for frame in frames:
                try:
                    ws.send(frame)
                except ConnectionClosed:
                    break
        assert heard == []

    throw()
    assert len(kinds) >= 100
    assert set(kinds) == {"http", "unauthenticated", "authenticated"}
    assert len(statuses) > 1  # the requests did reach different routes and answers
    assert echo_round_trip(app, "fuzz") == "fuzz"
    assert httpx.get(guarded.url).status_code == 200
    assert heard == []
