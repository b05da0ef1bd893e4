"""What the hot path remembers instead of working out per event, and that it stays right.

Valid event names are checked once, the listeners of a (widget, name) pair are found
once, and the loop thread is known by its thread id. A refused name is refused every
time, a change of listeners is seen by the very next event, and a stopped loop's id is
not mistaken for another thread's.
"""

from __future__ import annotations

import json
import threading

import pytest

from conftest import fake_settings
from pywry import InvalidEventNameError
from pywry.app.listeners import MATCHES_KEPT
from pywry.app.loop import LoopThread
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings())


@pytest.mark.parametrize(
    ("name", "error"), [("not a name", "bad-event"), ("pywry:secret", "reserved")]
)
def test_a_refused_name_is_refused_every_time_a_page_sends_it(app, name, error):
    app.show("<p/>", label="w", callbacks={"*": lambda data: None})
    page = FakePage(app, "w").connect()
    for seq in (1, 2):  # raw: window.pywry.emit would refuse the name before sending it
        page.send_raw(json.dumps({"type": name, "seq": 100 + seq}))
    page.wait_for("pywry:error", count=2)
    assert [e["error"] for e in page.events("pywry:error")] == [error, error]


def test_more_distinct_names_than_are_remembered_all_reach_the_callback(app):
    # More distinct names than the listener cache or the name check's cache (1,024) hold.
    count = max(1024, MATCHES_KEPT) + 20
    heard: list[str] = []
    done = threading.Event()

    def hear(data, event_type):
        heard.append(event_type)
        if len(heard) == count:
            done.set()

    app.show("<p/>", label="w", callbacks={"*": hear})
    page = FakePage(app, "w").connect(ready=False)
    for k in range(count):
        page.emit(f"app:n{k}")
    assert done.wait(10)
    assert heard == [f"app:n{k}" for k in range(count)]


def test_emitting_a_bad_name_raises_every_time(app):
    handle = app.show("<p/>", label="w")
    handle.emit("app:fine")
    for _ in range(2):
        with pytest.raises(InvalidEventNameError):
            handle.emit("no namespace")


@pytest.mark.parametrize("name", [["app:x"], {"app": "x"}, None, 3])
def test_emitting_a_name_that_is_not_a_string_raises_a_clear_error(app, name):
    handle = app.show("<p/>", label="w")
    handle.emit("app:fine")
    with pytest.raises(InvalidEventNameError, match="must be a string"):
        handle.emit(name)


def test_a_callback_added_after_events_flowed_hears_the_next_event(app):
    handle = app.show(
        "<p/>", label="w", callbacks={"app:x": lambda data: handle.emit("app:first", data)}
    )
    page = FakePage(app, "w").connect()
    page.emit("app:x", 1)
    page.wait_for("app:first")  # the listeners of (w, app:x) are now remembered
    handle.on("app:x", lambda data: handle.emit("app:late", data))
    page.emit("app:x", 2)
    assert page.wait_for("app:late") == 2


def test_a_callback_removed_after_events_flowed_hears_no_more(app):
    def echo(data):
        handle.emit("app:echo", data)

    handle = app.show("<p/>", label="w", callbacks={"app:x": echo})
    page = FakePage(app, "w").connect()
    page.emit("app:x", 1)
    page.wait_for("app:echo")
    handle.off("app:x", echo)
    handle.on("app:y", lambda data: handle.emit("app:y-heard", data))
    page.emit("app:x", 2)
    page.emit("app:y", 3)  # handled after app:x: once it is heard, app:x was not
    assert page.wait_for("app:y-heard") == 3
    assert page.events("app:echo") == [1]


def test_a_widget_shown_again_under_a_closed_ones_label_has_none_of_its_callbacks(app):
    heard: list[tuple[str, object]] = []
    done = threading.Event()
    app.on("app:x", lambda data: heard.append(("every widget's", data)))
    app.on("app:done", lambda data: done.set())
    app.show("<p/>", label="w", callbacks={"app:x": lambda data: heard.append(("old", data))})
    page = FakePage(app, "w").connect()
    page.emit("app:x", 1)  # the listeners of (w, app:x) are now remembered
    page.emit("app:done")
    assert done.wait(5)
    done.clear()
    app.close("w")
    app.show("<p/>", label="w")  # the same label, no callbacks of its own
    page = FakePage(app, "w").connect()
    page.emit("app:x", 2)
    page.emit("app:done")  # one widget's events are handled in order: app:x came first
    assert done.wait(5)
    assert heard == [("every widget's", 1), ("old", 1), ("every widget's", 2)]


def test_a_stopped_loop_thread_is_no_thread_at_all():
    loop = LoopThread(use_uvloop=False)
    loop.start()

    async def on_loop() -> bool:
        return loop.in_loop()

    assert loop.run(on_loop())
    assert not loop.in_loop()
    loop.stop()
    # The OS may give a later thread the stopped thread's id: that thread is not the loop.
    seen: list[bool] = []
    later = threading.Thread(target=lambda: seen.append(loop.in_loop()))
    later.start()
    later.join(5)
    assert seen == [False]


@pytest.mark.parametrize("where", ["the script", "a callback"])
def test_an_event_is_encoded_once_for_all_of_its_pages(app, where):
    encoded: list[str] = []
    real = app.container.event_encoder()

    def counting(event_type, data):
        encoded.append(event_type)
        return real(event_type, data)

    app.container.event_encoder.override(counting)
    handle = app.show("<p/>", label="w", callbacks={"app:go": lambda d: handle.emit("app:x", d)})
    pages = [FakePage(app, "w").connect() for _ in range(3)]
    if where == "a callback":
        pages[0].emit("app:go", 1)
    else:
        handle.emit("app:x", 1)
    for page in pages:
        assert page.wait_for("app:x") == 1
    assert encoded == ["app:x"]
