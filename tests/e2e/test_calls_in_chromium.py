"""Request/response calls both ways, in headless Chromium against the real server.

The page awaits Python with ``window.pywry.call()``; the script awaits the page with
``handle.request()`` and a ``window.pywry.handle()`` handler. Values, errors, timeouts,
many calls at once, and a call across a forced reconnect that resolves exactly once.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any

import pytest

from conftest import run_async
from pywry import PageCallError, PyWryTimeoutError
from tabs import open_widget

pytestmark = pytest.mark.e2e


def call(page: Any, expression: str) -> dict[str, Any]:
    """Run ``pywry.call(...)`` in the page: ``{"ok": value}`` or ``{"error": [name, message]}``."""
    result: dict[str, Any] = page.evaluate(
        f"""async () => {{
          try {{ return {{ok: await {expression}}}; }}
          catch (e) {{ return {{error: [e.name, e.message]}}; }}
        }}"""
    )
    return result


@pytest.fixture
def shown(make_app: Any, page: Any) -> tuple[Any, Any, Any]:
    app = make_app()
    handle = app.show("<p>calls</p>", label="c")
    open_widget(page, handle.url)
    return app, handle, page


def test_the_page_gets_what_sync_and_async_callbacks_of_any_arity_return(shown):
    _, handle, page = shown

    def add(data):
        return data["a"] + data["b"]

    async def describe(data, event_type, label):
        await asyncio.sleep(0)
        return {"event": event_type, "label": label, "got": data}

    handle.on("app:sum", add).on("app:describe", describe)
    handle.on("app:on-loop", lambda data, event_type: [event_type, data], sync_to_thread=False)
    assert call(page, "pywry.call('app:sum', {a: 1, b: 2})") == {"ok": 3}
    assert call(page, "pywry.call('app:describe', [1])") == {
        "ok": {"event": "app:describe", "label": "c", "got": [1]}
    }
    assert call(page, "pywry.call('app:on-loop', 'x')") == {"ok": ["app:on-loop", "x"]}


def test_an_emit_of_a_callee_still_runs_it_as_an_event(shown):
    _, handle, page = shown
    seen: list[Any] = []
    done = threading.Event()

    def callee(data):
        seen.append(data)
        done.set()
        return "dropped"

    handle.on("app:both", callee)
    page.evaluate("() => pywry.emit('app:both', 5)")
    assert done.wait(10)
    assert seen == [5]


def test_failures_reject_with_named_errors_and_no_traceback(shown):
    _, handle, page = shown

    def broken(data):
        raise ValueError("bad input")

    handle.on("app:broken", broken).on("app:object", lambda data: object())
    assert call(page, "pywry.call('app:broken', 1)") == {
        "error": ["PyWryCallError", "ValueError: bad input"]
    }
    failed = call(page, "pywry.call('app:object', 1)")
    assert failed["error"][0] == "PyWryCallError"
    assert "object" in failed["error"][1]
    assert "JSON" in failed["error"][1]
    missing = call(page, "pywry.call('app:nobody', 1)")
    assert missing["error"][0] == "PyWryCallError"
    assert "'app:nobody'" in missing["error"][1]


def test_a_call_times_out_with_a_timeout_error(shown):
    _, handle, page = shown
    release = threading.Event()
    handle.on("app:slow", lambda data: release.wait(10))
    started = time.monotonic()
    result = call(page, "pywry.call('app:slow', 1, {timeout: 300})")
    release.set()
    assert result["error"][0] == "TimeoutError"
    assert "'app:slow'" in result["error"][1]
    assert time.monotonic() - started < 5


def test_a_hundred_concurrent_calls_each_get_their_own_answer(shown):
    _, handle, page = shown
    handle.on("app:double", lambda n: n * 2)
    answers = page.evaluate(
        """async () => Promise.all(
          Array.from({length: 100}, (_, i) => pywry.call('app:double', i))
        )"""
    )
    assert answers == [i * 2 for i in range(100)]


def test_a_slow_call_of_one_widget_never_delays_another_widgets(make_app, new_page):
    app = make_app()
    slow = app.show("<p>slow</p>", label="slow")
    quick = app.show("<p>quick</p>", label="quick")
    release = threading.Event()
    slow.on("app:work", lambda data: release.wait(10))
    quick.on("app:work", lambda data: "done")
    slow_page, quick_page = new_page(), new_page()
    open_widget(slow_page, slow.url)
    open_widget(quick_page, quick.url)
    slow_page.evaluate("() => { window.slow = pywry.call('app:work', 1); }")
    started = time.monotonic()
    assert call(quick_page, "pywry.call('app:work', 1)") == {"ok": "done"}
    assert time.monotonic() - started < 2
    release.set()
    assert slow_page.evaluate("() => window.slow") is True


def test_a_call_across_a_forced_reconnect_resolves_exactly_once(shown):
    app, handle, page = shown
    runs: list[int] = []
    answered = threading.Event()
    gate = threading.Event()

    def counted(n):
        runs.append(n)
        gate.wait(10)  # the socket drops while the callee works
        answered.set()
        return n + 1

    handle.on("app:count", counted)
    page.evaluate(
        """() => {
          window.settled = [];
          pywry.call('app:count', 41).then((v) => window.settled.push(v), (e) => window.settled.push(e.name));
        }"""
    )
    deadline = time.monotonic() + 10
    while not runs:
        assert time.monotonic() < deadline
        answered.wait(0.01)
    assert app.container.gateway().drop_connections("c") == 1
    gate.set()
    page.wait_for_function("() => window.settled.length === 1 && pywry.connected")
    # A later round trip proves the replay is over: the answer came once, the callee ran once.
    assert call(page, "pywry.call('app:count', 1)") == {"ok": 2}
    assert page.evaluate("() => window.settled") == [42]
    assert runs == [41, 1]  # the call was not run again after the reconnect


def test_the_script_gets_what_the_pages_handler_returns_or_resolves(shown):
    app, handle, page = shown
    page.evaluate(
        """() => {
          pywry.handle('ui:selection', (data) => ({max: data.max, items: ['a', 'b']}));
          pywry.handle('ui:later', async (n) => { await new Promise((r) => setTimeout(r, 20)); return n * 3; });
        }"""
    )
    assert handle.request("ui:selection", {"max": 10}, timeout=5) == {
        "max": 10,
        "items": ["a", "b"],
    }
    assert app.request("ui:later", 4, label="c", timeout=5) == 12

    async def from_async() -> Any:
        return await handle.request_async("ui:later", 5, timeout=5)

    assert run_async(from_async()) == 15


def test_a_throwing_handler_and_a_missing_one_raise_page_call_error(shown):
    _, handle, page = shown
    page.evaluate(
        "() => pywry.handle('ui:broken', () => { throw new RangeError('out of range'); })"
    )
    with pytest.raises(PageCallError, match="RangeError: out of range") as broken:
        handle.request("ui:broken", timeout=5)
    assert (broken.value.name, broken.value.message) == ("RangeError", "out of range")
    started = time.monotonic()
    with pytest.raises(PageCallError, match="NoHandler"):
        handle.request("ui:nothing", timeout=10)
    assert time.monotonic() - started < 5  # at once, not after the timeout


def test_a_request_times_out_naming_the_event(shown):
    _, handle, page = shown
    page.evaluate("() => pywry.handle('ui:never', () => new Promise(() => {}))")
    with pytest.raises(PyWryTimeoutError, match=r"'ui:never' within 0.3 s") as waited:
        handle.request("ui:never", timeout=0.3)
    assert isinstance(waited.value, TimeoutError)


def test_a_request_waits_for_a_page_that_opens_later(make_app, page):
    app = make_app()
    handle = app.show(
        "<p>late</p><script>pywry.handle('ui:hello', (d) => 'hi ' + d);</script>", label="late"
    )
    answer: dict[str, Any] = {}

    def ask() -> None:
        answer["value"] = handle.request("ui:hello", "there", timeout=15)

    asker = threading.Thread(target=ask)
    asker.start()
    open_widget(page, handle.url)
    asker.join(20)
    assert answer == {"value": "hi there"}


def test_a_blocking_request_on_the_servers_loop_is_refused_naming_the_async_twin(shown):
    _, handle, page = shown
    errors: list[str] = []
    done = threading.Event()

    async def on_loop(data):
        try:
            handle.request("ui:x", timeout=1)
        except Exception as exc:
            errors.append(str(exc))
        done.set()

    handle.on("app:go", on_loop)
    page.evaluate("() => pywry.emit('app:go', 1)")
    assert done.wait(10)
    assert "request_async" in errors[0]


def test_a_sync_callback_may_ask_the_page_from_its_worker_thread(shown):
    _, handle, page = shown
    page.evaluate("() => pywry.handle('ui:confirm', (q) => q === 'sure?')")
    handle.on("app:delete", lambda data: handle.request("ui:confirm", "sure?", timeout=5))
    assert call(page, "pywry.call('app:delete', 1)") == {"ok": True}
