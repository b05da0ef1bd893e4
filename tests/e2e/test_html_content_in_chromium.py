"""HtmlContent's fields and show(initialization_script=) in headless Chromium: each one
applied or run, the init scripts once the bridge has connected and never again."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from pywry import HtmlContent
from tabs import open_widget, wait_connected

pytestmark = pytest.mark.e2e

# Each init script notes whether the bridge was connected when it ran, and how often it ran.
NOTE = "(window.runs = window.runs || []).push([{name!r}, window.pywry.connected]);"


@pytest.fixture
def files(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "box.css").write_text("#box { color: rgb(1, 2, 3); }")
    (tmp_path / "late.css").write_text("#box { border-top: 3px solid rgb(4, 5, 6); }")
    (tmp_path / "one.js").write_text(
        "function fromFile(n) { return n * 2; }\nwindow.order = ['one.js'];"
        "\nwindow.scriptSees = [typeof window.pywry, window.json_data && window.json_data.n];"
    )
    (tmp_path / "two.js").write_text("window.order.push('two.js'); var s = '</script>';")
    return tmp_path


def color(page, element_id: str, prop: str = "color") -> str:
    return page.evaluate(f"() => getComputedStyle(document.getElementById('{element_id}')).{prop}")


def test_every_field_is_honoured(make_app, page, files):
    app = make_app()
    content = HtmlContent(
        "<div id=box>box</div><p id=out></p>",
        css_files=["box.css", "late.css"],
        script_files=["one.js", "two.js"],
        inline_css="#box { background-color: rgb(7, 8, 9); color: rgb(0, 0, 0); }",
        json_data={"n": 21, "tricky": "</script><b>x</b>"},
        init_script=NOTE.format(name="init")
        + "document.getElementById('out').textContent = fromFile(window.json_data.n);",
    )
    handle = app.show(content, label="all", initialization_script=NOTE.format(name="early"))
    open_widget(page, handle.url)
    page.wait_for_function("() => (window.runs || []).length === 2")
    assert color(page, "box", "backgroundColor") == "rgb(7, 8, 9)"  # inline_css
    assert color(page, "box") == "rgb(1, 2, 3)"  # box.css, after inline_css: it wins
    assert color(page, "box", "borderTopColor") == "rgb(4, 5, 6)"  # late.css
    assert page.evaluate("() => window.order") == ["one.js", "two.js"]  # in order
    assert page.evaluate("() => window.scriptSees") == ["object", 21]  # bridge and data there
    assert page.evaluate("() => window.json_data") == {"n": 21, "tricky": "</script><b>x</b>"}
    # The release's order: initialization_script, then init_script, with the bridge connected.
    assert page.evaluate("() => window.runs") == [["early", True], ["init", True]]
    assert page.text_content("#out") == "42"  # init_script used a file's function and the data
    assert page.locator("b").count() == 0  # nothing escaped its element
    assert page.js_errors == []


def test_init_scripts_run_once_and_not_again_on_a_reconnect(make_app, page):
    app = make_app()
    content = HtmlContent("<p>hi</p>", init_script=NOTE.format(name="init"))
    handle = app.show(content, label="once", initialization_script=NOTE.format(name="early"))
    open_widget(page, handle.url)
    page.wait_for_function("() => (window.runs || []).length === 2")
    assert app.container.gateway().drop_connections("once") == 1
    page.wait_for_function("() => !window.pywry.connected")
    wait_connected(page)
    handle.emit("app:ping", 1)  # the page is live again, and still the same one
    page.evaluate("() => new Promise(r => window.pywry.on('app:ping', r))")
    assert page.evaluate("() => window.runs") == [["early", True], ["init", True]]


def test_a_ready_handler_added_by_init_script_still_fires(make_app, page):
    app = make_app()
    seen = threading.Event()
    init = "window.pywry.on('pywry:ready', () => window.pywry.emit('app:saw-ready', {}));"
    handle = app.show(
        HtmlContent("<p>hi</p>", init_script=init),
        label="ready",
        callbacks={"app:saw-ready": lambda _data: seen.set()},
    )
    open_widget(page, handle.url)
    assert seen.wait(10)


def test_initialization_script_on_a_plain_string(make_app, page):
    app = make_app()
    handle = app.show("<p id=p>x</p>", label="plain", initialization_script=NOTE.format(name="s"))
    open_widget(page, handle.url)
    page.wait_for_function("() => (window.runs || []).length === 1")
    assert page.evaluate("() => window.runs") == [["s", True]]


def test_a_whole_document_gets_every_field_after_its_own_head(make_app, page, files):
    app = make_app()
    document = (
        "<!DOCTYPE html><html><head><title>doc</title>"
        "<style>#box { color: rgb(200, 0, 0); background-color: rgb(200, 0, 0); }</style>"
        "</head><body><div id=box>box</div></body></html>"
    )
    content = HtmlContent(
        document,
        css_files="box.css",
        script_files=["one.js"],
        inline_css="#box { background-color: rgb(7, 8, 9); }",
        json_data={"n": 1},
        init_script=NOTE.format(name="init"),
    )
    handle = app.show(content, label="doc")
    open_widget(page, handle.url)
    page.wait_for_function("() => (window.runs || []).length === 1")
    # After the document's own <style>, as the release puts them: they win.
    assert color(page, "box") == "rgb(1, 2, 3)"
    assert color(page, "box", "backgroundColor") == "rgb(7, 8, 9)"
    assert page.evaluate("() => window.scriptSees") == ["object", 1]
    assert page.evaluate("() => window.runs") == [["init", True]]
    assert page.title() == "doc"


def test_update_content_swaps_the_fields_in_place(make_app, page, files):
    app = make_app()
    handle = app.show(HtmlContent("<div id=box>a</div>", css_files="box.css"), label="up")
    open_widget(page, handle.url)
    assert color(page, "box") == "rgb(1, 2, 3)"
    page.evaluate("() => { window.samePage = true; }")
    app.update_content(
        HtmlContent(
            "<div id=box>b</div>",
            inline_css="#box { color: rgb(9, 9, 9); }",
            json_data={"v": "new"},
            init_script=NOTE.format(name="after-update"),
        ),
        "up",
    )
    page.wait_for_function("() => (window.runs || []).length === 1")
    assert page.text_content("#box") == "b"
    assert color(page, "box") == "rgb(9, 9, 9)"  # the old file's rule went with the old content
    assert page.evaluate("() => [window.json_data.v, window.samePage]") == ["new", True]
    assert page.evaluate("() => window.runs") == [["after-update", True]]
    assert page.js_errors == []
