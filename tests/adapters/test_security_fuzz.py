"""What never leaks and never breaks: the widget token in no log line, repr or error; random
frames, headers and paths neither stop the server nor reach a callback."""

from __future__ import annotations

import json
import logging
import socket
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from websockets.exceptions import ConnectionClosed

from pywry import UnknownWidgetError
from security_kit import (
    close_code,
    echo_round_trip,
    echoing,
    next_frame,
    open_socket,
    root_of,
    token_of,
)

pytestmark = pytest.mark.server


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
