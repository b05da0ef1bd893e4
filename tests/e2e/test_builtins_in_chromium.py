"""pywry's built-in page events, with the release's payloads, in headless Chromium."""

from __future__ import annotations

import threading

import pytest

pytestmark = pytest.mark.e2e

CONTENT = """
<div id="box">box</div>
<p class="para">para</p>
"""


@pytest.fixture
def shown(make_app, page):
    app = make_app()
    handle = app.show(CONTENT, label="b")
    page.goto(handle.url)
    page.wait_for_function("() => window.pywry && window.pywry.connected")
    return app, handle, page


def test_update_html_replaces_the_content_without_a_reload(shown):
    _, handle, page = shown
    page.evaluate("() => { window.marker = 42; }")
    handle.update("<h2 id=new>new</h2><script>window.ranScript = true</script>")
    page.wait_for_selector("#new")
    assert page.evaluate("() => [window.marker, window.ranScript]") == [42, True]


def test_set_content_and_set_style(shown):
    _, handle, page = shown
    handle.emit("pywry:set-content", {"id": "box", "text": "<b>as text</b>"})
    page.wait_for_function("() => document.getElementById('box').textContent === '<b>as text</b>'")
    handle.emit("pywry:set-content", {"selector": ".para", "html": "<i>html</i>"})
    page.wait_for_selector(".para i")
    handle.emit("pywry:set-style", {"id": "box", "styles": {"backgroundColor": "rgb(1, 2, 3)"}})
    page.wait_for_function(
        "() => getComputedStyle(document.getElementById('box')).backgroundColor === 'rgb(1, 2, 3)'"
    )


def test_inject_and_remove_css(shown):
    _, handle, page = shown
    handle.emit("pywry:inject-css", {"css": "#box { color: rgb(9, 8, 7); }", "id": "mine"})
    color = "() => getComputedStyle(document.getElementById('box')).color"
    page.wait_for_function(f"() => ({color})() === 'rgb(9, 8, 7)'")
    handle.emit("pywry:remove-css", {"id": "mine"})
    page.wait_for_function(f"() => ({color})() !== 'rgb(9, 8, 7)'")


def test_alerts_show_toasts_and_confirm_answers(shown):
    _app, handle, page = shown
    handle.alert("Saved!", alert_type="success", title="Done")
    toast = page.locator(".pywry-toast.success")
    toast.wait_for()
    assert "Saved!" in toast.inner_text()
    assert "Done" in toast.inner_text()

    answers: list[dict] = []
    answered = threading.Event()
    handle.on("app:answer", lambda data: (answers.append(data), answered.set()))
    handle.alert("Sure?", alert_type="confirm", callback_event="app:answer")
    page.click(".pywry-confirm-ok")
    assert answered.wait(5)
    assert answers == [{"confirmed": True}]


def test_update_theme(shown):
    _, handle, page = shown
    handle.emit("pywry:update-theme", {"theme": "light"})
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")


def test_download(shown):
    _, handle, page = shown
    with page.expect_download() as info:
        handle.emit(
            "pywry:download",
            {"content": "a,b\n1,2\n", "filename": "data.csv", "mimeType": "text/csv"},
        )
    download = info.value
    assert download.suggested_filename == "data.csv"
    with open(download.path()) as f:
        assert f.read() == "a,b\n1,2\n"


def test_navigate(make_app, page):
    app = make_app()
    target = app.show("<h1 id=t>target</h1>", label="target")
    source = app.show("<p>source</p>", label="source")
    page.goto(source.url)
    page.wait_for_function("() => window.pywry && window.pywry.connected")
    source.emit("pywry:navigate", {"url": target.url})
    page.wait_for_selector("#t")
    assert page.url == target.url


def test_close_tells_the_page_and_its_url_is_gone(make_app, page, new_page):
    app = make_app()
    handle = app.show("<p>bye</p>", label="bye")
    page.goto(handle.url)
    page.wait_for_function("() => window.pywry && window.pywry.connected")
    app.close("bye")
    page.wait_for_selector("#pywry-banner")
    other = new_page()
    response = other.goto(handle.url)
    assert response.status == 404
    assert "bye" in other.content()
