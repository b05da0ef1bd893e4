"""Every way the server closes a page's socket ends with the page knowing why.

A page that writes right after its socket opens (it sends its first event at once) must
still read the server's in-band error and close code: the server finishes the closing
handshake, reading what the page sent until the page's own close frame, instead of ending
the connection with the page's frames unread (which makes the kernel reset it, and the page
lose what it had not read yet). The server is the real Granian; the page a raw client.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from pywry import PyWry

FIRST_EVENT = json.dumps({"type": "app:hello", "data": {"x": "y" * 200}, "seq": 1})


def socket_of(app: PyWry, label: str, token: str, **options: Any) -> ClientConnection:
    base = app.container.server().base_url
    assert base is not None
    return connect(
        f"ws://{urlsplit(base).netloc}/ws/{label}?page=tab",
        subprotocols=["pywry.v1", f"pywry.token.{token}"],  # type: ignore[list-item]
        open_timeout=5,
        close_timeout=2,
        proxy=None,
        **options,
    )


def send_all(ws: ClientConnection, *frames: str) -> None:
    """Send as a page does, which may still be sending when the server's close arrives."""
    try:
        for frame in frames:
            ws.send(frame)
    except ConnectionClosed:
        pass  # what came before the close can still be read


def frames_then_close(ws: ClientConnection) -> tuple[list[str], int | None]:
    """Every frame type the server sent, then its close code (None: no close frame came)."""
    types: list[str] = []
    try:
        while True:
            message = json.loads(ws.recv(timeout=5))
            types += [f["type"] for f in message.get("events", [message])]
    except ConnectionClosed as closed:
        return types, closed.rcvd.code if closed.rcvd is not None else None


@pytest.mark.timeout(120)
def test_a_refused_page_that_writes_at_once_always_reads_why_then_4001(make_app):
    app = make_app()
    app.show("<p/>", label="w")
    outcomes = []
    for _ in range(200):
        with socket_of(app, "w", "not-the-token") as ws:
            send_all(ws, FIRST_EVENT, FIRST_EVENT)  # right after the 101, as a page does
            outcomes.append(frames_then_close(ws))
    assert outcomes == [(["pywry:auth-error"], 4001)] * 200


@pytest.mark.timeout(60)
def test_a_page_closed_by_the_app_while_it_writes_reads_the_goodbye_and_the_code(make_app):
    app = make_app()
    outcomes = []
    for k in range(20):
        label = f"w{k}"
        app.show("<p/>", label=label)
        token = app.container.gateway().widget(label).token.reveal()
        with socket_of(app, label, token) as ws:
            assert json.loads(ws.recv(timeout=5))["type"] == "pywry:hello"
            send_all(
                ws, *(json.dumps({"type": "app:n", "data": n, "seq": n}) for n in range(1, 20))
            )
            app.close(label)
            # Still writing while the close goes out.
            send_all(
                ws, *(json.dumps({"type": "app:n", "data": n, "seq": n}) for n in range(20, 40))
            )
            types, code = frames_then_close(ws)
            outcomes.append(("pywry:closed" in types, code))
    assert outcomes == [(True, 1000)] * 20


def test_a_stopping_server_closes_a_writing_page_with_its_goodbye_and_1001(make_app):
    app = make_app()
    app.show("<p/>", label="w")
    token = app.container.gateway().widget("w").token.reveal()
    with socket_of(app, "w", token) as ws:
        assert json.loads(ws.recv(timeout=5))["type"] == "pywry:hello"
        send_all(ws, *(json.dumps({"type": "app:n", "data": n, "seq": n}) for n in range(1, 50)))
        app.destroy()
        types, code = frames_then_close(ws)
    assert ("pywry:server-stopped" in types, code) == (True, 1001)
