"""TLS material (encrypted keys served; bad files named, nothing served) and the limits a
page is held to (frame size, inbound rate, pages per widget), each for that widget only."""

from __future__ import annotations

import asyncio
import json
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets

from certs import write_pair
from pywry import TlsError
from security_kit import (
    PASSWORD,
    close_code,
    echo_round_trip,
    echoing,
    free_port,
    next_frame,
    open_socket,
    port_is_free,
    refusal,
    token_of,
    wait_until,
)

pytestmark = pytest.mark.server


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
