"""The app layer with fakes: no socket, no browser; the bridge and the facade for real."""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from conftest import fake_settings
from pywry import InvalidEventNameError, InvalidLabelError, PyWry, UnknownWidgetError, WindowMode
from pywry.testing import FakeBrowserLauncher, FakePage, FakeServerRunner, PageRefused


@pytest.fixture
def app(pywry_app_factory) -> PyWry:
    return pywry_app_factory(fake_settings())


@pytest.fixture
def launcher(app: PyWry) -> FakeBrowserLauncher:
    launcher: FakeBrowserLauncher = app.container.browser_launcher()
    return launcher


@pytest.fixture
def runner(app: PyWry) -> FakeServerRunner:
    runner: FakeServerRunner = app.container.server_runner()
    return runner


def test_the_server_starts_once_and_the_browser_opens_each_new_widget(app, launcher, runner):
    first = app.show("<h1>one</h1>", label="one")
    second = app.show("<h1>two</h1>", label="two")
    assert runner.starts == 1
    assert launcher.opened == [first.url, second.url]


def test_the_default_url_is_the_documented_one(app):
    handle = app.show("<h1>Hello</h1>", label="chart")
    assert handle.url == "http://fake-server.invalid:8765/widget/chart"  # the fake's host
    assert app.settings.server.host == "127.0.0.1"  # what a real server binds
    assert handle.widget_id == handle.label == "chart"


def test_a_widget_without_a_label_gets_a_short_random_one(app):
    handle = app.show("<p>x</p>")
    assert 1 <= len(handle.label) <= 12
    assert app.get_labels() == [handle.label]


def test_a_label_that_is_not_url_safe_is_refused(app):
    with pytest.raises(InvalidLabelError, match="A-Z"):
        app.show("<p>x</p>", label="my chart")


def test_show_without_opening_the_browser(app, launcher):
    app.show("<p>x</p>", label="quiet", open_browser=False)
    assert launcher.opened == []


def test_every_callback_form_is_called(app):
    calls: list[tuple[Any, ...]] = []
    done = threading.Event()

    def one(data):
        calls.append(("one", data))

    def two(data, event_type):
        calls.append(("two", data, event_type))

    def three(data, event_type, label):
        calls.append(("three", data, event_type, label))

    async def four(data, event_type, label):
        calls.append(("async", data))
        done.set()

    handle = app.show("<p/>", label="w", callbacks={"app:click": one})
    handle.on("app:click", two).on("app:click", three)
    app.on("app:click", four)
    page = FakePage(app, "w").connect()
    page.emit("app:click", {"n": 1})
    assert done.wait(5)
    deadline = time.monotonic() + 5
    while len(calls) < 4 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sorted(c[0] for c in calls) == ["async", "one", "three", "two"]
    assert ("three", {"n": 1}, "app:click", "w") in calls
    assert ("two", {"n": 1}, "app:click") in calls


def test_a_round_trip_reaches_the_page(app):
    def on_click(data, event_type, label):
        handle.emit("app:response", {"message": "Button clicked!"})

    handle = app.show("<button/>", label="b", callbacks={"app:click": on_click})
    page = FakePage(app, "b").connect()
    page.emit("app:click", {})
    assert page.wait_for("app:response") == {"message": "Button clicked!"}


def test_pywry_ready_reaches_python(app):
    seen = threading.Event()
    app.show("<p/>", label="r", callbacks={"pywry:ready": lambda data: seen.set()})
    FakePage(app, "r").connect().emit("pywry:ready", {})
    assert seen.wait(5)


def test_a_wildcard_callback_hears_every_event(app):
    names: list[str] = []
    got = threading.Event()

    def any_event(data, event_type):
        names.append(event_type)
        if len(names) == 3:
            got.set()

    app.show("<p/>", label="w", callbacks={"*": any_event})
    page = FakePage(app, "w").connect()  # a page says pywry:ready first
    page.emit("app:a")
    page.emit("other:b")
    assert got.wait(5)
    assert names == ["pywry:ready", "app:a", "other:b"]


def test_emit_reaches_every_page_of_a_widget_and_only_that_widget(app):
    one = app.show("<p/>", label="one")
    app.show("<p/>", label="two")
    a, b = FakePage(app, "one").connect(), FakePage(app, "one").connect()
    other = FakePage(app, "two").connect()
    one.emit("app:hello", {"x": 1})
    assert a.wait_for("app:hello") == {"x": 1}
    assert b.wait_for("app:hello") == {"x": 1}
    app.emit("app:all", 2)
    assert other.wait_for("app:all") == 2
    assert other.events("app:hello") == []


def test_events_emitted_before_the_first_page_are_not_lost(app):
    handle = app.show("<p/>", label="early")
    for i in range(5):
        handle.emit("app:n", i)
    page = FakePage(app, "early", since=0).connect()
    page.wait_for("app:n", count=5)
    assert page.events("app:n") == [0, 1, 2, 3, 4]


def test_a_page_that_reconnects_gets_exactly_what_it_missed(app):
    handle = app.show("<p/>", label="r")
    page = FakePage(app, "r").connect()
    handle.emit("app:n", 1)
    page.wait_for("app:n")
    seen = page.last_seq
    page.close()
    handle.emit("app:n", 2)
    handle.emit("app:n", 3)
    again = FakePage(app, "r", since=seen).connect()
    again.wait_for("app:n", count=2)
    assert again.events("app:n") == [2, 3]


def test_event_names_are_checked_in_python(app):
    handle = app.show("<p/>", label="x")
    with pytest.raises(InvalidEventNameError):
        handle.emit("noNamespace", {})
    with pytest.raises(ValueError, match="namespace:event"):
        app.on("bad name", print)


def test_data_that_is_not_json_is_refused_where_it_was_emitted(app):
    handle = app.show("<p/>", label="x")
    with pytest.raises(TypeError, match="JSON"):
        handle.emit("app:x", {"s": object()})


def test_emitting_to_an_unknown_widget_names_the_known_ones(app):
    app.show("<p/>", label="known")
    with pytest.raises(UnknownWidgetError, match="'known'"):
        app.emit("app:x", 1, label="nope")


def test_update_reaches_open_pages_and_keeps_the_url(app):
    handle = app.show("<p>old</p>", label="u")
    page = FakePage(app, "u").connect()
    handle.update("<p>new</p>")
    assert page.wait_for("pywry:update-html")["html"] == "<p>new</p>"
    assert app.container.gateway().widget("u").html == "<p>new</p>"
    handle.update_html("<p>newer</p>")
    assert page.wait_for("pywry:update-html", count=2)["html"] == "<p>newer</p>"


def test_showing_a_label_again_replaces_its_content_live(app, launcher):
    app.show("<p>1</p>", label="same")
    page = FakePage(app, "same").connect()
    app.show("<p>2</p>", label="same")
    assert page.wait_for("pywry:update-html")["html"] == "<p>2</p>"
    assert len(launcher.opened) == 1  # a page is already open: no second tab


def test_close_tells_the_pages_and_forgets_the_widget(app):
    app.show("<p/>", label="c")
    page = FakePage(app, "c").connect()
    app.close("c")
    assert page.wait_closed() == 1000
    assert page.events("pywry:closed")
    assert app.get_labels() == []
    assert not app.is_open("c")


def test_a_wrong_token_is_refused_and_no_callback_fires(app):
    fired = threading.Event()
    app.show("<p/>", label="s", callbacks={"*": lambda d: fired.set()})
    with pytest.raises(PageRefused) as refused:
        FakePage(app, "s", token="wrong").connect()
    assert refused.value.code == 4001
    with pytest.raises(PageRefused):
        FakePage(app, "s", token=None).connect()
    assert not fired.wait(0.2)


def test_a_failing_callback_is_reported_to_the_page_and_the_app_goes_on(pywry_app_factory, caplog):
    app = pywry_app_factory(fake_settings(), callback_errors="log")  # as in production

    def broken(data):
        raise RuntimeError("boom")

    def fine(data):
        handle.emit("app:ok", data)

    handle = app.show("<p/>", label="f", callbacks={"app:break": broken, "app:fine": fine})
    page = FakePage(app, "f").connect()
    page.emit("app:break", {})
    error = page.wait_for("pywry:error")
    assert error["error"] == "RuntimeError"
    assert error["message"] == "boom"
    page.emit("app:fine", 7)
    assert page.wait_for("app:ok") == 7
    assert "boom" in caplog.text


def test_a_slow_callback_of_one_widget_does_not_delay_another(app):
    release = threading.Event()

    def slow(data):
        release.wait(10)

    def quick(data):
        handle_b.emit("app:done", data)

    app.show("<p/>", label="a", callbacks={"app:go": slow})
    handle_b = app.show("<p/>", label="b", callbacks={"app:go": quick})
    page_a, page_b = FakePage(app, "a").connect(), FakePage(app, "b").connect()
    page_a.emit("app:go", 1)
    page_b.emit("app:go", 2)
    assert page_b.wait_for("app:done", timeout=3) == 2
    release.set()


def test_one_widgets_callbacks_run_in_order(app):
    seen: list[int] = []
    done = threading.Event()

    def record(data):
        seen.append(data)
        if len(seen) == 50:
            done.set()

    app.show("<p/>", label="o", callbacks={"app:n": record})
    page = FakePage(app, "o").connect()
    for i in range(50):
        page.emit("app:n", i)
    assert done.wait(5)
    assert seen == list(range(50))


def test_block_returns_once_every_page_has_gone_for_the_grace_period(app):
    app.show("<p/>", label="b")
    page = FakePage(app, "b").connect()
    returned = threading.Event()
    thread = threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True)
    thread.start()
    page.close()
    # A reload: back within the grace period, so block() keeps waiting.
    again = FakePage(app, "b").connect()
    assert not returned.wait(0.5)
    again.close()
    assert returned.wait(5)


def test_alerts_are_checked_and_sent(app):
    handle = app.show("<p/>", label="a")
    page = FakePage(app, "a").connect()
    handle.alert("Saved", alert_type="success", title="Done")
    alert = page.wait_for("pywry:alert")
    assert alert["message"] == "Saved"
    assert alert["type"] == "success"
    assert alert["position"] == "top-right"
    with pytest.raises(ValueError, match="callback_event"):
        handle.alert("Sure?", alert_type="confirm")
    with pytest.raises(ValueError, match="alert_type"):
        handle.alert("x", alert_type="loud")


def test_destroy_tells_pages_and_is_idempotent(app, runner):
    app.show("<p/>", label="d")
    page = FakePage(app, "d").connect()
    app.destroy()
    assert page.wait_closed() == 1001
    assert page.events("pywry:server-stopped")
    app.destroy()
    assert runner.stops == 1


def test_two_apps_share_nothing(launcher):
    first = PyWry(mode=WindowMode.BROWSER)
    second = PyWry(mode=WindowMode.BROWSER)
    for app in (first, second):
        app.container.browser_launcher.override(launcher)
        app.container.server_runner.override(FakeServerRunner())
    try:
        first.show("<p/>", label="mine")
        assert second.get_labels() == []
    finally:
        first.destroy()
        second.destroy()


def test_the_exit_hook_of_a_started_app_goes_with_its_destroy(app):
    hooks: list[Any] = []

    class Recorder:
        @staticmethod
        def register(fn: Any) -> None:
            hooks.append(fn)

        @staticmethod
        def unregister(fn: Any) -> None:
            hooks.remove(fn)

    app.container.exit_hooks.override(Recorder)  # the app registers and unregisters it there
    app.show("<p/>", label="w")
    app.show("<p/>", label="v")  # one hook per app, not per show
    assert len(hooks) == 1
    app.destroy()
    assert hooks == []
