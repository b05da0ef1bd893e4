"""The seed's scenarios, unchanged, in a real headless Chromium against the real server."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from tabs import wait_connected

pytestmark = pytest.mark.e2e


def test_the_first_example_shows_its_heading(make_app, page):
    app = make_app()
    handle = app.show("<h1>Hello Browser!</h1>")
    page.goto(handle.url)
    assert page.locator("h1").inner_text() == "Hello Browser!"
    wait_connected(page)
    assert app.page_count(handle.label) == 1


def test_labels_are_urls_and_both_widgets_connect_at_once(make_app, new_page):
    app = make_app()
    h1 = app.show("<h1>Chart</h1>", label="chart")
    h2 = app.show("<h1>Table</h1>", label="table")
    assert h1.url.endswith("/widget/chart")
    assert h2.url.endswith("/widget/table")
    first, second = new_page(), new_page()
    first.goto(h1.url)
    second.goto(h2.url)
    assert first.locator("h1").inner_text() == "Chart"
    assert second.locator("h1").inner_text() == "Table"
    wait_connected(first)
    wait_connected(second)
    assert (app.page_count("chart"), app.page_count("table")) == (1, 1)


def test_the_callback_example_round_trips(make_app, page):
    app = make_app()
    received: list[tuple[Any, ...]] = []

    def on_click(data, event_type, label):
        received.append((data, event_type, label))
        handle.emit("app:response", {"message": "Button clicked!"})

    handle = app.show(
        "<button onclick=\"window.pywry.emit('app:click', {})\">Click me</button>",
        callbacks={"app:click": on_click},
    )
    page.goto(handle.url)
    page.evaluate(
        "() => { window.got = null; window.pywry.on('app:response', d => { window.got = d; }); }"
    )
    page.click("text=Click me")
    page.wait_for_function("() => window.got !== null")
    assert page.evaluate("() => window.got") == {"message": "Button clicked!"}
    assert received == [({}, "app:click", handle.label)]


def test_showing_a_label_again_updates_the_open_page(make_app, page):
    app = make_app()
    app.show("<p id=v>one</p>", label="live")
    page.goto(app.get_widget_url("live"))
    wait_connected(page)
    app.show("<p id=v>two</p>", label="live")
    page.wait_for_function("() => document.getElementById('v').textContent === 'two'")
    page.reload()
    assert page.locator("#v").inner_text() == "two"


def test_the_page_api(make_app, page):
    app = make_app()
    heard: list[Any] = []
    ready = threading.Event()
    got_all = threading.Event()

    def on_any(data, event_type):
        heard.append((event_type, data))
        if len(heard) >= 3:
            got_all.set()

    handle = app.show(
        """<script>
        // Emitted before the socket is open: queued, none lost.
        window.pywry.emit('app:early', 1);
        window.pywry.emit('app:early', 2);
        window.readyInPage = false;
        window.pywry.on('pywry:ready', () => { window.readyInPage = true; });
        </script>""",
        label="api",
        callbacks={"app:*": on_any, "pywry:ready": lambda d: ready.set()},
    )
    page.goto(handle.url)
    wait_connected(page)
    assert ready.wait(5)
    page.wait_for_function("() => window.readyInPage")
    assert page.evaluate("() => window.pywry.label") == "api"
    page.evaluate("() => window.pywry.emit('app:late', 3)")
    assert got_all.wait(5)
    assert heard == [("app:early", 1), ("app:early", 2), ("app:late", 3)]

    error = page.evaluate(
        "() => { try { window.pywry.emit('bad name', {}); return null } catch (e) { return e.message } }"
    )
    assert "namespace:event" in error

    page.evaluate(
        """() => {
        window.seen = [];
        window.star = (d, t) => window.seen.push(['*', t, d]);
        window.one = d => window.seen.push(['one', d]);
        window.pywry.on('*', window.star);
        window.pywry.on('app:x', window.one);
        }"""
    )
    handle.emit("app:x", 1)
    page.wait_for_function("() => window.seen.length === 2")
    page.evaluate("() => { window.pywry.off('app:x', window.one); window.pywry.off('*'); }")
    handle.emit("app:x", 2)
    handle.emit("app:marker", 0)
    page.evaluate("() => window.pywry.on('app:marker', () => window.seen.push(['marker']))")
    page.wait_for_function("() => window.seen.some(e => e[0] === 'marker')")
    assert page.evaluate("() => window.seen") == [["one", 1], ["*", "app:x", 1], ["marker"]]


def test_every_page_of_a_widget_gets_every_emit(make_app, new_page):
    app = make_app()
    handle = app.show("<p>shared</p>", label="shared")
    pages = [new_page() for _ in range(3)]
    for p in pages:
        p.goto(handle.url)
        wait_connected(p)
        p.evaluate("() => { window.got = []; window.pywry.on('app:n', d => window.got.push(d)); }")
    for i in range(20):
        handle.emit("app:n", i)
    for p in pages:
        p.wait_for_function("() => window.got.length === 20")
        assert p.evaluate("() => window.got") == list(range(20))


def test_block_waits_through_a_reload_and_returns_when_the_tab_closes(make_app, page):
    app = make_app(reconnect_grace=1.5)
    handle = app.show("<p>block</p>", label="blk")
    page.goto(handle.url)
    wait_connected(page)
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block(), returned.set()), daemon=True).start()
    page.reload()
    wait_connected(page)
    assert not returned.wait(2.0)
    assert app.get_labels() == ["blk"]
    page.close()
    assert returned.wait(10)
