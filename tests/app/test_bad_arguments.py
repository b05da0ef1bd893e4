"""Every bad argument from a script gets a pywry error that says what fits."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest

from conftest import fake_settings
from pywry import IllegalTransitionError, InvalidArgumentError, PyWry, PyWryError, WindowMode
from pywry.testing import FakeBrowserLauncher, FakePage


@pytest.fixture
def app(pywry_app_factory) -> PyWry:
    return pywry_app_factory(fake_settings(reconnect_grace=0.1))


@pytest.fixture
def launcher(app: PyWry) -> FakeBrowserLauncher:
    launcher: FakeBrowserLauncher = app.container.browser_launcher()
    return launcher


def test_the_argument_error_is_a_pywry_error_a_type_error_and_a_value_error():
    assert issubclass(InvalidArgumentError, PyWryError)
    assert issubclass(InvalidArgumentError, TypeError)
    assert issubclass(InvalidArgumentError, ValueError)


@pytest.mark.parametrize(
    ("call", "says"),
    [
        (lambda app: app.show(123), "HTML as a string"),
        (lambda app: app.show("<p/>", title=5), "string title"),
        (lambda app: app.show("<p/>", callbacks=["app:go"]), "mapping of event name"),
        (lambda app: app.show("<p/>", callbacks={"app:go": "not callable"}), "callable"),
        (lambda app: app.show("<p/>", label="u").update(5), "HTML as a string"),
        (lambda app: app.emit("app:x", {"when": object()}), "JSON"),
        (lambda app: app.show("<p/>", label="a").alert("x", alert_type="loud"), "alert_type"),
        (lambda app: app.show("<p/>", label="a").alert("x", position="middle"), "position"),
        (lambda app: app.show("<p/>", label="a").alert("?", alert_type="confirm"), "callback_"),
        (lambda app: app.show("<p/>", label="a").alert("x", duration="x"), "duration"),
        (lambda app: app.show("<p/>", width="abc"), "width as a whole number"),
        (lambda app: app.show("<p/>", height=0), "height as a whole number"),
    ],
)
def test_a_bad_argument_raises_a_clear_pywry_error(app, call, says):
    with pytest.raises(InvalidArgumentError, match=says):
        call(app)


@pytest.mark.parametrize(
    ("kwargs", "says"),
    [
        ({"title": 5}, "string title"),
        ({"theme": "purple"}, "theme must be one of"),
        ({"width": 12.5}, "width as a whole number"),
    ],
)
def test_pywry_refuses_a_bad_title_or_theme_at_once(kwargs, says):
    with pytest.raises(InvalidArgumentError, match=says):
        PyWry(mode=WindowMode.BROWSER, **kwargs)


def test_a_destroyed_app_says_so_every_time_and_shows_nothing(app):
    handle = app.show("<p/>", label="d")
    app.destroy()
    calls = [
        lambda: app.emit("app:x", 1, label="d"),
        lambda: handle.emit("app:x", 1),
        lambda: handle.url,
        lambda: app.alert("hi"),
        lambda: handle.alert("hi"),
        lambda: app.update_content("<p/>", "d"),
    ]
    for _ in range(2):  # the second time too: nothing is queued for nobody
        for call in calls:
            with pytest.raises(IllegalTransitionError, match="destroyed"):
                call()
    assert app.is_open("d") is False
    assert app.get_labels() == []
    assert app.page_count() == 0
    app.close("d")  # closed already: a cleanup that closes does not fail
    app.close()


def test_the_gateway_refuses_events_once_its_server_stopped(app):
    app.show("<p/>", label="d")
    gateway = app.container.gateway()
    app.destroy()
    for _ in range(3):
        with pytest.raises(IllegalTransitionError, match="stopped"):
            gateway.emit("app:x", 1, "d")


def test_a_label_that_is_not_a_string_is_refused_clearly(app):
    app.show("<p/>", label="w")
    with pytest.raises(InvalidArgumentError, match="label must be a string"):
        app.emit("app:x", 1, label=["w"])


def test_showing_a_label_again_replaces_the_callbacks_its_last_show_brought(app):
    calls: list[str] = []
    finished = threading.Event()

    def first(data):
        calls.append("first")

    def second(data):
        calls.append("second")

    for _ in range(3):  # a notebook cell run three times
        app.show("<p/>", label="chart", callbacks={"app:click": first})
    callbacks = {"app:click": second, "app:fin": lambda data: finished.set()}
    app.show("<p/>", label="chart", callbacks=callbacks)
    page = FakePage(app, "chart").connect()
    for i in range(3):
        page.emit("app:click", i)
    page.emit("app:fin")  # one widget's callbacks run in order: this one runs last
    assert finished.wait(3)
    assert calls == ["second", "second", "second"]


def test_showing_a_label_again_keeps_the_callbacks_added_with_on(app):
    seen = threading.Event()
    app.show("<p/>", label="chart").on("app:click", lambda data: seen.set())
    app.show("<p/>", label="chart", callbacks={"app:other": lambda data: None})
    FakePage(app, "chart").connect().emit("app:click", 1)
    assert seen.wait(3)


def test_block_waits_again_for_a_label_shown_again_after_its_page_went(app, launcher):
    app.show("<p/>", label="w")
    FakePage(app, "w").connect().close()
    app.block()  # the page went and the grace period ran out
    app.show("<p/>", label="w")
    assert len(launcher.opened) == 2  # the browser opens again for it
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()
    assert not returned.wait(0.4)  # no page yet: it waits
    FakePage(app, "w").connect().close()
    assert returned.wait(5)


def test_an_update_after_the_pages_went_does_not_keep_block_waiting(app, launcher):
    handle = app.show("<p/>", label="w")
    FakePage(app, "w").connect().close()
    app.block()
    handle.update("<p>new data</p>")  # a data feed goes on after the tab was closed
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()
    assert returned.wait(5)
    assert len(launcher.opened) == 1


def test_destroy_from_a_sync_callback_returns_at_once_and_the_stop_completes(app):
    returned = threading.Event()

    def quit_button(data):
        app.destroy()
        returned.set()

    app.show("<p/>", label="q", callbacks={"app:quit": quit_button})
    page = FakePage(app, "q").connect()
    page.emit("app:quit")
    assert returned.wait(1.0)  # not after timeout_graceful_shutdown: it waits for nothing here
    assert page.wait_closed() == 1001
    app.destroy()  # from the script: waits for the stop the callback started


class ExitHooks:
    """Keeps the hooks the interpreter would run at exit, for the test to run."""

    def __init__(self) -> None:
        self.hooks: list[Callable[[], object]] = []

    def register(self, hook: Callable[[], object]) -> None:
        self.hooks.append(hook)

    def unregister(self, hook: Callable[[], object]) -> None:
        self.hooks = [h for h in self.hooks if h != hook]

    def run(self) -> None:
        for hook in reversed(self.hooks):
            hook()


def test_emits_of_threads_still_running_at_interpreter_exit_are_dropped_quietly(app):
    exit_hooks = ExitHooks()
    app.container.exit_hooks.override(exit_hooks)
    handle = app.show("<p/>", label="x")
    exit_hooks.run()  # the interpreter exits: its hook destroys the app
    assert not app.is_open()
    handle.emit("app:tick", 1)  # no error: the interpreter is going away


def test_a_zero_graceful_shutdown_does_not_wait_for_callbacks(pywry_app_factory):
    import time as clock

    app = pywry_app_factory(fake_settings(timeout_graceful_shutdown=0))
    release = threading.Event()
    app.show("<p/>", label="w", callbacks={"app:n": lambda data: release.wait(5)})
    page = FakePage(app, "w").connect()
    page.emit("app:n", 1)
    page.emit("app:n", 2)
    started = clock.monotonic()
    try:
        app.destroy()
        assert clock.monotonic() - started < 1.0
    finally:
        release.set()


def test_on_after_destroy_says_the_app_was_destroyed(app):
    handle = app.show("<p/>", label="w")
    app.destroy()
    with pytest.raises(IllegalTransitionError, match="destroyed"):
        handle.on("app:x", lambda data: None)
    assert app.off("app:x") == 0  # nothing to remove, nothing raised
