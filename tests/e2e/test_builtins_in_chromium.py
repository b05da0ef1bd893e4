"""pywry's built-in page events, with the release's payloads, in headless Chromium."""

from __future__ import annotations

import threading

import pytest

from tabs import open_widget

pytestmark = pytest.mark.e2e

CONTENT = """
<div id="box">box</div>
<p class="para">para</p>
<div id="header">header</div>
<ul id="list"><li>one</li></ul>
"""


@pytest.fixture
def shown(make_app, page):
    app = make_app()
    handle = app.show(CONTENT, label="b")
    open_widget(page, handle.url)
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


def test_css_ids_never_touch_a_page_element_of_the_same_id(shown):
    _, handle, page = shown
    handle.inject_css("#box { color: rgb(4, 5, 6); }", id="header")
    color = "() => getComputedStyle(document.getElementById('box')).color"
    page.wait_for_function(f"() => ({color})() === 'rgb(4, 5, 6)'")
    handle.remove_css("header")
    page.wait_for_function(f"() => ({color})() !== 'rgb(4, 5, 6)'")
    assert page.evaluate("() => document.getElementById('header').outerHTML") == (
        '<div id="header">header</div>'
    )


def test_a_selector_that_starts_with_an_id_is_a_selector(shown):
    _, handle, page = shown
    handle.set_content("#list > li", text="changed")
    page.wait_for_function("() => document.querySelector('#list li').textContent === 'changed'")
    handle.set_style("#box", {"color": "rgb(1, 2, 3)"})
    page.wait_for_function(
        "() => getComputedStyle(document.getElementById('box')).color === 'rgb(1, 2, 3)'"
    )


def test_update_theme(shown):
    _, handle, page = shown
    handle.emit("pywry:update-theme", {"theme": "system"})
    page.wait_for_function("() => document.documentElement.dataset.theme === 'system'")
    handle.set_theme("light")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'light'")
    classes = page.evaluate("() => [...document.documentElement.classList]")
    assert sorted(classes) == ["light", "pywry-theme-light"]


def test_a_theme_that_is_not_one_is_refused_in_python(shown):
    from pywry import InvalidArgumentError

    _, handle, _page = shown
    with pytest.raises(InvalidArgumentError, match="theme must be one of"):
        handle.set_theme("a b")


@pytest.mark.parametrize(
    "url", ["javascript:window.hit=1", "java\tscript:window.hit=1", "\x01javascript:window.hit=1"]
)
def test_navigate_follows_web_addresses_only(shown, url):
    _, handle, page = shown
    page.evaluate("() => { window.after = new Promise(r => window.pywry.on('app:after', r)); }")
    # Playwright reports console messages on its own schedule: wait for this one, after the
    # page has handled what was sent after the navigate (a page that got neither hangs there).
    with page.expect_console_message(lambda m: "refusing to navigate" in m.text, timeout=15_000):
        handle.emit("pywry:navigate", {"url": url})
        handle.emit("app:after", {})  # handled after the navigate
        page.evaluate("() => window.after")
    assert page.evaluate("() => window.hit") is None


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
    open_widget(page, source.url)
    source.emit("pywry:navigate", {"url": target.url})
    page.wait_for_selector("#t")
    assert page.url == target.url


def test_close_tells_the_page_and_its_url_is_gone(make_app, page, new_page):
    app = make_app()
    handle = app.show("<p>bye</p>", label="bye")
    open_widget(page, handle.url)
    app.close("bye")
    page.wait_for_selector("#pywry-banner")
    other = new_page()
    response = other.goto(handle.url)
    assert response.status == 404
    assert "bye" in other.content()


DOC = (
    "<!DOCTYPE html><html><head><title>v{n}</title></head>"
    '<body><div id="x">initial {n}</div></body></html>'
)


def test_what_follows_a_whole_document_update_reaches_the_reloaded_page(make_app, page):
    app = make_app()
    handle = app.show(DOC.format(n=1), label="doc")
    open_widget(page, handle.url)
    handle.update(DOC.format(n=2))  # the page reloads for it
    handle.set_content("#x", text="set after the update")
    page.wait_for_function(
        "() => document.title === 'v2' &&"
        " document.getElementById('x').textContent === 'set after the update'"
    )


COUNTED = (
    "<!DOCTYPE html><html><head><title>v{n}</title><script>"
    "sessionStorage.setItem('loads', String(Number(sessionStorage.getItem('loads') || 0) + 1));"
    '</script></head><body><div id="x">initial {n}</div></body></html>'
)


def test_a_burst_of_whole_document_updates_reloads_the_page_once(make_app, page):
    app = make_app()
    handle = app.show(COUNTED.format(n=1), label="doc")
    open_widget(page, handle.url)

    async def burst() -> None:
        # One loop step: both updates are out before the page can reload for the first
        # (an update that comes after a reload rendered would rightly reload it again).
        handle.update(COUNTED.format(n=2))
        handle.update(COUNTED.format(n=3))
        handle.set_content("#x", text="after the burst")

    app.container.loop_thread().run(burst())
    page.wait_for_function(
        "() => document.title === 'v3' &&"
        " document.getElementById('x').textContent === 'after the burst'"
    )
    # The first load and one reload: the reloaded page renders v3 and starts after it.
    assert page.evaluate("() => sessionStorage.getItem('loads')") == "2"


SCRIPTED = (
    '<p id="v">v{n}</p><script>window.runs = (window.runs || 0) + 1;'
    " pywry.on('app:x', () => {{ window.hits = (window.hits || 0) + 1; }});</script>"
)


def test_content_updated_before_the_first_page_runs_its_scripts_once(make_app, page):
    app = make_app()
    handle = app.show(SCRIPTED.format(n=1), label="u")
    handle.update(SCRIPTED.format(n=2))  # before the tab has opened
    handle.emit("app:x", 1)
    handle.emit("app:done", 1)
    page.goto(handle.url)
    page.evaluate("() => new Promise(r => window.pywry.on('app:done', () => r()))")
    assert page.evaluate("() => [document.getElementById('v').textContent, window.runs]") == [
        "v2",
        1,
    ]
    assert page.evaluate("() => window.hits") == 1
