"""How the page hands events to its handlers (``window.pywry.on``), in headless Chromium.

Each delivery calls the handlers registered when the event arrived: a handler that adds or
removes handlers changes what the next event reaches, not the one being delivered.
"""

from __future__ import annotations

from typing import Any

import pytest

from tabs import open_widget

pytestmark = pytest.mark.e2e

RECORDER = """() => {
  window.calls = [];
  window.record = (name) => (data, type) => window.calls.push([name, data, type === undefined ? null : type]);
}"""


@pytest.fixture
def shown(make_app: Any, page: Any) -> tuple[Any, Any]:
    app = make_app()
    handle = app.show("<p>handlers</p>", label="h")
    open_widget(page, handle.url)
    page.evaluate(RECORDER)
    return handle, page


def calls_after(page: Any, handle: Any) -> list[list[Any]]:
    """The calls recorded once ``test:done`` arrived (events arrive in the order emitted)."""
    handle.emit("test:done", None)
    page.wait_for_function("() => window.done === true")
    calls: list[list[Any]] = page.evaluate("() => window.calls")
    return calls


def test_exact_namespace_and_catch_all_handlers_each_get_the_event(shown):
    handle, page = shown
    page.evaluate(
        """() => {
          pywry.on('app:x', record('exact'));
          pywry.on('app:*', record('namespace'));
          pywry.on('*', record('all'));
          pywry.on('test:done', () => { window.done = true; });
        }"""
    )
    handle.emit("app:x", {"n": 1})
    calls = calls_after(page, handle)
    assert [c for c in calls if c[1] == {"n": 1}] == [
        ["exact", {"n": 1}, None],  # an exact handler gets the data only
        ["namespace", {"n": 1}, "app:x"],
        ["all", {"n": 1}, "app:x"],
    ]
    # The catch-all also hears the rest: pywry:ready (kept for the first handler) and test:done.
    assert [c[2] for c in calls if c[0] == "all"] == ["pywry:ready", "app:x", "test:done"]


def test_a_handler_added_during_a_delivery_hears_the_next_event_only(shown):
    handle, page = shown
    page.evaluate(
        """() => {
          let added = false;
          pywry.on('app:x', (data) => {
            window.calls.push(['first', data, null]);
            if (!added) { added = true; pywry.on('app:x', record('added')); }
          });
          pywry.on('test:done', () => { window.done = true; });
        }"""
    )
    handle.emit("app:x", 1)
    handle.emit("app:x", 2)
    assert calls_after(page, handle) == [
        ["first", 1, None],
        ["first", 2, None],
        ["added", 2, None],
    ]


def test_a_handler_that_removes_itself_lets_the_others_of_the_delivery_run(shown):
    handle, page = shown
    page.evaluate(
        """() => {
          const once = (data) => { window.calls.push(['once', data, null]); pywry.off('app:x', once); };
          pywry.on('app:x', once);
          pywry.on('app:x', record('always'));
          pywry.on('test:done', () => { window.done = true; });
        }"""
    )
    handle.emit("app:x", 1)
    handle.emit("app:x", 2)
    assert calls_after(page, handle) == [
        ["once", 1, None],
        ["always", 1, None],
        ["always", 2, None],
    ]


def test_the_page_counts_the_message_limit_in_bytes_of_utf8(make_app, page):
    app = make_app(max_message_size=1024)
    handle = app.show("<p/>", label="big")
    open_widget(page, handle.url)
    # 600 characters, about 1,200 bytes: under the limit in characters, over it in bytes.
    error = page.evaluate(
        "() => { try { window.pywry.emit('app:big', 'é'.repeat(600)); return null; }"
        " catch (err) { return String(err.message); } }"
    )
    assert error is not None
    assert "too big to send" in error
    assert page.evaluate("() => window.pywry.connected")  # nothing was sent: no close 1009


def test_events_that_waited_for_a_handler_reach_it_in_the_order_they_arrived(shown):
    handle, page = shown
    page.evaluate("() => { pywry.on('test:done', () => { window.done = true; }); }")
    for i, name in enumerate(["app:a", "app:b", "app:a", "app:b"]):
        handle.emit(name, i)  # no handler for app:* yet: they wait
    handle.emit("test:done", None)
    page.wait_for_function("() => window.done === true")
    page.evaluate("() => { pywry.on('app:*', record('late')); }")
    calls = page.evaluate("() => window.calls")
    assert calls == [
        ["late", 0, "app:a"],
        ["late", 1, "app:b"],
        ["late", 2, "app:a"],
        ["late", 3, "app:b"],
    ]
