"""Where callbacks run, by a rule a user can read: sync on workers, async or asked-for on the loop.

The hub and the facade are real; pages are :class:`FakePage` (no socket, no browser).
Each callback records the name of the thread it ran on: ``pywry-callback-*`` for a
worker, ``pywry-loop`` for the server's loop. Nothing here depends on how quick a
callback was before.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

import pytest

from conftest import fake_settings
from pywry import InvalidArgumentError, PyWry
from pywry.testing import FakePage

LOOP = "pywry-loop"
WORKER = "pywry-callback-"


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings())


class Recorder:
    """A sync callback that records (thread name, data) and answers the page."""

    def __init__(self, app: PyWry, label: str) -> None:
        self.app = app
        self.label = label
        self.calls: list[tuple[str, Any]] = []

    def __call__(self, data: Any, event_type: str, label: str) -> None:
        self.calls.append((threading.current_thread().name, data))
        self.app.emit("app:done", data, label)

    def threads(self) -> list[str]:
        return [name for name, _ in self.calls]


def run(page: FakePage, count: int, start: int = 0) -> None:
    for k in range(start, start + count):
        page.emit("app:go", k)
        page.wait_for("app:done", count=k + 1)


def test_a_sync_callback_runs_on_a_worker_however_often_and_quickly_it_ran(app):
    callback = Recorder(app, "w")
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    run(FakePage(app, "w").connect(), 40)
    assert len(callback.threads()) == 40
    assert all(name.startswith(WORKER) for name in callback.threads())


@pytest.mark.parametrize("how", ["show", "app.on", "handle.on"])
def test_a_sync_callback_asked_to_stay_off_threads_runs_on_the_loop(app, how):
    callback = Recorder(app, "w")
    if how == "show":
        app.show("<p/>", label="w", callbacks={"app:go": callback}, sync_to_thread=False)
    elif how == "app.on":
        app.show("<p/>", label="w")
        app.on("app:go", callback, label="w", sync_to_thread=False)
    else:
        app.show("<p/>", label="w").on("app:go", callback, sync_to_thread=False)
    run(FakePage(app, "w").connect(), 5)
    assert callback.threads() == [LOOP] * 5


def test_an_async_callback_runs_on_the_loop(app):
    threads: list[str] = []

    async def on_go(data: Any) -> None:
        threads.append(threading.current_thread().name)
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    run(FakePage(app, "w").connect(), 3)
    assert threads == [LOOP] * 3


@pytest.mark.parametrize("value", ["no", 0, None])
def test_sync_to_thread_takes_only_true_or_false(app, value):
    handle = app.show("<p/>", label="w")
    with pytest.raises(InvalidArgumentError, match="sync_to_thread must be True or False"):
        handle.on("app:go", lambda data: None, sync_to_thread=value)


def test_a_callback_quick_many_times_then_slow_never_delays_another_widget(app):
    release = threading.Event()

    def sometimes_slow(data: Any) -> None:
        if data == "slow":
            release.wait(10)  # a query that takes seconds, after many quick ones
        app.emit("app:done", data, "a")

    app.show("<p/>", label="a", callbacks={"app:go": sometimes_slow})
    app.show("<p/>", label="b", callbacks={"app:go": Recorder(app, "b")})
    a, b = FakePage(app, "a").connect(), FakePage(app, "b").connect()
    run(a, 30)
    try:
        a.emit("app:go", "slow")
        started = time.monotonic()
        run(b, 5)  # widget b round trips while a's callback is stuck
        assert time.monotonic() - started < 2.0
        assert a.events("app:done") == list(range(30))  # a's answer waits for its callback
    finally:
        release.set()
    assert a.wait_for("app:done", count=31) == "slow"


def test_a_widget_keeps_its_order_across_its_callbacks_on_workers(app):
    order: list[tuple[str, int]] = []
    release = threading.Event()

    def quick(data: Any) -> None:
        order.append(("quick", data))

    def held(data: Any) -> None:
        if data == 0:
            assert release.wait(5)
        order.append(("held", data))

    app.show("<p/>", label="w", callbacks={"app:quick": quick, "app:held": held})
    page = FakePage(app, "w").connect(ready=False)
    page.emit("app:held", 0)  # holds the widget's lane on a worker
    for k in range(1, 4):
        page.emit("app:quick", k)  # waits behind it
    release.set()
    page.emit("app:quick", 4, wait=True)
    assert order == [("held", 0), ("quick", 1), ("quick", 2), ("quick", 3), ("quick", 4)]


def test_a_long_run_on_the_loop_is_logged_with_what_to_do(app, caplog):
    app.container.long_on_loop.override(0.01)

    def hog(data: Any) -> None:
        time.sleep(0.05)  # stands for a blocking call: the very thing being detected
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": hog}, sync_to_thread=False)
    with caplog.at_level(logging.WARNING, logger="pywry.callbacks"):
        run(FakePage(app, "w").connect(), 1)
    assert "held the server's event loop" in caplog.text
    assert "drop sync_to_thread=False" in caplog.text


def test_a_callback_on_the_loop_can_show_update_and_close_widgets(app):
    shown: list[str] = []

    def on_go(data: Any) -> None:
        label = f"child{data}"
        child = app.show(f"<p>{data}</p>", label=label)
        child.emit("app:hello", data)  # the new widget exists at once
        app.update_content(f"<p>again {data}</p>", label)
        app.close(label)
        shown.append(threading.current_thread().name)
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go}, sync_to_thread=False)
    page = FakePage(app, "w").connect()
    run(page, 3)
    assert shown == [LOOP] * 3
    assert app.get_labels() == ["w"]


def test_an_async_callback_can_show_a_widget(app):
    async def on_go(data: Any) -> None:
        app.show("<p>child</p>", label="child")
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    page = FakePage(app, "w").connect()
    run(page, 1)
    assert "child" in app.get_labels()


def test_block_from_a_callback_on_the_loop_is_refused_with_a_clear_error(app):
    errors: list[str] = []

    async def on_go(data: Any) -> None:
        try:
            app.block()
        except RuntimeError as exc:
            errors.append(str(exc))
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    run(FakePage(app, "w").connect(), 1)
    assert errors == [
        "block() waits for the pages to close, so it cannot be called from a callback"
    ]


def test_destroy_from_a_callback_on_the_loop_stops_the_server_and_a_later_destroy_waits(
    pywry_app_factory,
):
    app = pywry_app_factory()
    runner = app.container.server_runner()
    stopped = threading.Event()

    async def on_quit(data: Any) -> None:
        app.destroy()  # returns at once: the loop cannot wait for itself
        stopped.set()

    app.show("<p/>", label="w", callbacks={"app:quit": on_quit})
    page = FakePage(app, "w").connect()
    page.emit("app:quit", {})
    assert stopped.wait(5)
    app.destroy()  # from another thread: waits until the stop is done
    assert runner.stops == 1
    assert runner.address is None
    assert page.wait_closed(5) == 1001


@pytest.mark.parametrize("sync_to_thread", [True, False])
def test_a_callback_that_exits_is_reported_and_the_page_keeps_working(
    pywry_app_factory, sync_to_thread
):
    app = pywry_app_factory(fake_settings(), callback_errors="log")  # the page is told

    def on_go(data: Any) -> None:
        if data == 1:
            raise SystemExit(3)
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go}, sync_to_thread=sync_to_thread)
    page = FakePage(app, "w").connect()
    run(page, 1)
    page.emit("app:go", 1)
    error = page.wait_for("pywry:error")
    assert error["error"] == "SystemExit"
    page.emit("app:go", 2)
    assert page.wait_for("app:done", count=2) == 2


@pytest.mark.parametrize("sync_to_thread", [True, False])
def test_an_error_report_comes_after_what_the_callback_emitted_before_it_failed(
    pywry_app_factory, sync_to_thread
):
    app = pywry_app_factory(fake_settings(), callback_errors="log")  # the page is told

    def on_go(data: Any) -> None:
        app.emit("app:before", data, "w")
        raise ValueError("broken")

    app.show("<p/>", label="w", callbacks={"app:go": on_go}, sync_to_thread=sync_to_thread)
    page = FakePage(app, "w").connect()
    for k in range(3):
        page.emit("app:go", k)
    page.wait_for("pywry:error", count=3)
    names = [name for name, _ in page.events() if name in ("app:before", "pywry:error")]
    assert names == ["app:before", "pywry:error"] * 3
