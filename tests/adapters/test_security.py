"""Security by default, tried from outside: tokens, subprotocols, origins and hosts of the
widget sockets, each refusal told in band before its close code."""

from __future__ import annotations

import json
import socket
import threading
from urllib.parse import urlsplit

import httpx
import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from security_kit import echoing, next_frame, open_socket, refusal, token_of

pytestmark = pytest.mark.server


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
