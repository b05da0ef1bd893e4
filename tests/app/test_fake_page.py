"""`FakePage` behaves as a tab would, for users' own tests."""

from __future__ import annotations

import time

import pytest

from conftest import fake_settings
from pywry import InvalidArgumentError, InvalidEventNameError
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings(max_message_size=1024))


def test_a_fake_page_says_ready_on_connect_and_goodbye_on_close(app):
    seen: list[tuple[str, object]] = []
    callbacks = {"pywry:ready": lambda d: seen.append(("ready", d))}
    callbacks["pywry:disconnect"] = lambda d: seen.append(("bye", d))
    app.show("<p/>", label="w", callbacks=callbacks)
    page = FakePage(app, "w").connect()
    page.close()
    FakePage(app, "w").connect(ready=False).close(goodbye=False)  # a crash: neither
    app.container.loop_thread().run(app.container.callback_runner().settle(5.0))
    assert seen == [("ready", {}), ("bye", {"reason": "page closed", "widget_id": "w"})]


def test_emit_can_wait_for_the_callbacks_side_effects(app):
    saved: list[int] = []

    def slow_save(data):
        time.sleep(0.05)  # the work the test waits for, not a wait of the test's own
        saved.append(data)

    app.show("<p/>", label="w", callbacks={"app:save": slow_save})
    page = FakePage(app, "w").connect()
    page.emit("app:save", 7, wait=True)
    assert saved == [7]


def test_a_fake_page_refuses_what_window_pywry_emit_refuses(app):
    app.show("<p/>", label="w")
    page = FakePage(app, "w").connect()
    with pytest.raises(InvalidEventNameError):
        page.emit("not a name")
    with pytest.raises(InvalidArgumentError, match="too big to send"):
        page.emit("app:big", "x" * 2000)


def test_events_lists_what_handlers_would_see_and_frames_keep_everything(app):
    handle = app.show("<p/>", label="w")
    page = FakePage(app, "w").connect()
    handle.emit("app:x", 1)
    page.wait_for("app:x")
    assert page.events() == [("app:x", 1)]
    assert "pywry:hello" in [f.get("type") for f in page.frames]


def test_send_raw_reaches_the_server_unchecked(app):
    app.show("<p/>", label="w")
    page = FakePage(app, "w").connect()
    page.send_raw("not json")
    assert page.wait_for("pywry:error")["error"] == "bad-frame"


def test_emits_after_a_raw_numbered_frame_are_numbered_after_it(app):
    heard: list[str] = []
    app.show("<p/>", label="w", callbacks={"app:*": lambda data, name: heard.append(data)})
    page = FakePage(app, "w").connect()
    page.send_raw('{"seq": 100, "type": "app:raw", "data": "raw"}')
    page.emit("app:next", "emitted", wait=True)
    assert heard == ["raw", "emitted"]
