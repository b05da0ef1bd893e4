"""Where sync callbacks run: on workers until they prove quick, then on the loop.

The bridge and the facade are real; pages are :class:`FakePage` (no socket, no browser).
Each callback records the name of the thread it ran on: ``pywry-callback-*`` for a
worker, ``pywry-loop`` for the server's loop.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import pytest

from pywry import PyWry, WindowMode
from pywry.app.callbacks import PROMOTE_AFTER
from pywry.testing import FakeBrowserLauncher, FakePage, FakeServerRunner

LOOP = "pywry-loop"


@pytest.fixture
def app(fake_app):
    return fake_app()


@pytest.fixture
def roomy_app(fake_app):
    """For tests of what runs on the loop, not of the budget: a worker's run that waits for
    the loop or the GIL (a show() from a worker does) never counts as slow here."""
    return fake_app(callback_inline_budget=0.5)


class Recorder:
    """A sync callback that records (thread name, data) and answers the page."""

    def __init__(
        self, app: PyWry, label: str, *, slow_at: set[int] | None = None, slow: float = 0.05
    ) -> None:
        self.app = app
        self.label = label
        self.calls: list[tuple[str, Any]] = []
        self.slow_at = slow_at or set()
        self.slow = slow

    def __call__(self, data: Any, event_type: str, label: str) -> None:
        if data in self.slow_at:
            time.sleep(self.slow)
        self.calls.append((threading.current_thread().name, data))
        self.app.emit("app:done", data, label)

    def threads(self) -> list[str]:
        return [name for name, _ in self.calls]


def run(page: FakePage, count: int, start: int = 0) -> None:
    for k in range(start, start + count):
        page.emit("app:go", k)
        page.wait_for("app:done", count=k + 1)


def test_a_quick_callback_runs_on_workers_first_then_on_the_loop(roomy_app):
    app = roomy_app
    callback = Recorder(app, "w")
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    page = FakePage(app, "w").connect()
    run(page, PROMOTE_AFTER + 5)
    threads = callback.threads()
    assert all(name.startswith("pywry-callback-") for name in threads[:PROMOTE_AFTER])
    assert threads[PROMOTE_AFTER:] == [LOOP] * 5
    assert page.events("app:done") == list(range(PROMOTE_AFTER + 5))


def test_one_slow_run_on_the_loop_sends_a_callback_back_to_workers_for_good(app):
    slow = PROMOTE_AFTER + 2
    callback = Recorder(app, "w", slow_at={slow})
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    page = FakePage(app, "w").connect()
    run(page, 3 * PROMOTE_AFTER)
    threads = callback.threads()
    assert threads[slow] == LOOP  # the slow run itself: the loop cannot know in advance
    assert LOOP not in threads[slow + 1 :]


def test_one_run_a_little_over_the_budget_is_forgiven_but_three_in_a_row_demote(app):
    # 3 ms: over the 1 ms budget, under the 10 ms that demotes at once.
    first = PROMOTE_AFTER + 1
    callback = Recorder(app, "w", slow_at={first, first + 20, first + 21, first + 22}, slow=0.003)
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    page = FakePage(app, "w").connect()
    run(page, first + 30)
    threads = callback.threads()
    assert threads[first : first + 23] == [LOOP] * 23  # one strike, forgiven; then three
    assert LOOP not in threads[first + 23 :]


def test_a_callback_slow_on_a_worker_is_not_promoted_until_it_is_quick_again(app):
    callback = Recorder(app, "w", slow_at={PROMOTE_AFTER - 1})
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    page = FakePage(app, "w").connect()
    run(page, 2 * PROMOTE_AFTER + 2)
    threads = callback.threads()
    assert LOOP not in threads[: 2 * PROMOTE_AFTER]
    assert threads[2 * PROMOTE_AFTER :] == [LOOP] * 2


def test_a_budget_of_zero_keeps_every_sync_callback_on_workers(fake_app):
    app = fake_app(callback_inline_budget=0)
    callback = Recorder(app, "w")
    app.show("<p/>", label="w", callbacks={"app:go": callback})
    run(FakePage(app, "w").connect(), 3 * PROMOTE_AFTER)
    assert LOOP not in callback.threads()


def test_a_widget_keeps_its_order_while_one_of_its_callbacks_is_on_a_worker(app):
    order: list[tuple[str, int]] = []
    release = threading.Event()

    def quick(data: Any) -> None:
        order.append(("quick", data))

    def held(data: Any) -> None:
        if data == 0:
            assert release.wait(5)
        order.append(("held", data))

    handle = app.show("<p/>", label="w", callbacks={"app:quick": quick, "app:held": held})
    page = FakePage(app, "w").connect()
    for k in range(PROMOTE_AFTER):  # promote `quick`
        page.emit("app:quick", -1 - k)
    deadline = time.monotonic() + 5
    while len(order) < PROMOTE_AFTER and time.monotonic() < deadline:
        time.sleep(0.005)
    order.clear()
    page.emit("app:held", 0)  # holds the widget's lane on a worker
    for k in range(1, 4):
        page.emit("app:quick", k)  # must wait behind it, not jump onto the loop
    release.set()
    handle.emit("app:sync", {})
    page.wait_for("app:sync")
    deadline = time.monotonic() + 5
    while len(order) < 4 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert order == [("held", 0), ("quick", 1), ("quick", 2), ("quick", 3)]


def test_a_callback_on_the_loop_can_show_update_and_close_widgets(roomy_app):
    app = roomy_app
    shown: list[str] = []

    def on_go(data: Any) -> None:
        label = f"child{data}"
        child = app.show(f"<p>{data}</p>", label=label)
        child.emit("app:hello", data)  # the new widget exists at once
        app.update_content(f"<p>again {data}</p>", label)
        app.close(label)
        shown.append(threading.current_thread().name)
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    page = FakePage(app, "w").connect()
    run(page, PROMOTE_AFTER + 3)
    assert shown[-3:] == [LOOP] * 3
    deadline = time.monotonic() + 5
    while app.get_labels() != ["w"] and time.monotonic() < deadline:
        time.sleep(0.005)
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


def test_destroy_from_a_callback_on_the_loop_stops_the_server_and_a_later_destroy_waits():
    runner = FakeServerRunner()
    app = PyWry(mode=WindowMode.BROWSER)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(runner)
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


def test_a_callback_on_the_loop_that_exits_is_reported_and_the_page_keeps_working(roomy_app):
    app = roomy_app

    def on_go(data: Any) -> None:
        if data == PROMOTE_AFTER + 1:
            raise SystemExit(3)
        app.emit("app:done", data, "w")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    page = FakePage(app, "w").connect()
    run(page, PROMOTE_AFTER + 1)
    page.emit("app:go", PROMOTE_AFTER + 1)
    error = page.wait_for("pywry:error")
    assert error["error"] == "SystemExit"
    page.emit("app:go", PROMOTE_AFTER + 2)
    page.wait_for("app:done", count=PROMOTE_AFTER + 2)


def test_an_error_report_comes_after_what_the_callback_emitted_before_it_failed(app):
    def on_go(data: Any) -> None:
        app.emit("app:before", data, "w")
        raise ValueError("broken")

    app.show("<p/>", label="w", callbacks={"app:go": on_go})
    page = FakePage(app, "w").connect()
    for k in range(3):
        page.emit("app:go", k)
    page.wait_for("pywry:error", count=3)
    names = [name for name, _ in page.events() if name in ("app:before", "pywry:error")]
    assert names == ["app:before", "pywry:error"] * 3
