"""What a widget keeps, in headless Chromium: its toolbars and modals through content updates,
and its theme through reloads and in pages opened later."""

from __future__ import annotations

from typing import Any

import pytest

from component_pages import MODAL, show_toolbar_page, toolbars
from pywry import Marquee, Toolbar
from tabs import open_widget, wait_connected

pytestmark = pytest.mark.e2e

DARK_BG = "#212124"
LIGHT_BG = "#f5f5f5"
LOOK = """() => ({
    root: [...document.documentElement.classList].sort(),
    dataTheme: document.documentElement.dataset.theme,
    bg: getComputedStyle(document.documentElement).getPropertyValue('--pywry-bg-primary').trim(),
})"""


def look(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(LOOK)
    return result


def reload(page: Any) -> None:
    page.reload()
    wait_connected(page)


@pytest.fixture
def shown(make_app, page):
    return show_toolbar_page(make_app, page)


def test_an_update_keeps_the_toolbars_and_modals_working_around_the_new_content(shown):
    handle, page, record = shown
    handle.update("<p id=fresh>fresh</p>")
    page.locator("#fresh").wait_for()
    assert page.locator("#content").count() == 0
    assert page.locator(".pywry-toolbar-top #save").inner_text() == "Save"
    assert page.locator(".pywry-toolbar-left #zoom").count() == 1
    assert page.locator(".pywry-content #fresh").count() == 1  # inside the layout
    page.click("#save")
    assert record.wait_for(1) == [("app:save", {"componentId": "save", "force": True})]
    handle.set_toolbar_value("name", "Grace")
    page.wait_for_function("() => document.getElementById('name').value === 'Grace'")
    handle.emit("modal:open:settings")
    page.locator("#settings .pywry-modal").wait_for(state="visible")
    reload(page)  # the page served now is the same
    assert page.locator(".pywry-toolbar-top #save").count() == 1
    assert page.locator("#fresh").count() == 1
    assert page.js_errors == []


def test_an_update_in_place_leaves_the_toolbars_showing_what_they_showed(shown):
    handle, page, record = shown
    page.select_option("#theme", "Light")  # the user's choices
    page.click("#agree")
    record.wait_for(2)
    handle.set_toolbar_value("name", "Grace", placeholder="who")  # Python's values
    handle.set_toolbar_value("save", label="Store")
    handle.emit("modal:open:settings")
    page.locator("#settings .pywry-modal").wait_for(state="visible")
    handle.update("<p id=fresh>fresh</p>")
    page.locator("#fresh").wait_for()
    assert page.locator("#theme").input_value() == "Light"
    assert page.locator("#agree").is_checked()
    assert page.locator("#name").input_value() == "Grace"
    assert page.locator("#name").get_attribute("placeholder") == "who"
    assert page.locator("#save").inner_text() == "Store"
    assert page.locator("#count").input_value() == "1"  # untouched: as drawn
    assert page.locator("#settings .pywry-modal").is_visible()
    page.keyboard.press("Escape")  # the modal's keys still work
    page.locator("#settings .pywry-modal").wait_for(state="hidden")
    answer = handle.request("toolbar:request-state", {"componentId": "theme"}, timeout=5)
    assert answer == {"componentId": "theme", "value": "Light"}
    assert page.js_errors == []


def test_a_static_marquee_turns_on_after_an_update_in_place(make_app, page):
    marquee = Marquee(component_id="m", behavior="static", items=["A", "B"], speed=1)
    handle = make_app().show("<p>x</p>", toolbars=[Toolbar(items=[marquee])])
    open_widget(page, handle.url)
    handle.update("<p id=y>y</p>")
    page.locator("#y").wait_for()
    page.wait_for_function("() => document.querySelector('#m').textContent === 'B'")
    page.wait_for_function("() => document.querySelector('#m').textContent === 'A'")


def test_update_content_and_update_html_keep_them_for_documents_too(make_app, page):
    app = make_app()
    handle = app.show("<p>x</p>", label="c", toolbars=toolbars(), modals=[MODAL])
    open_widget(page, handle.url)
    handle.update_html("<p id=one>one</p>")
    page.locator("#one").wait_for()
    doc = (
        "<!DOCTYPE html><html><head><title>doc</title></head><body><p id=two>two</p></body></html>"
    )
    with page.expect_navigation():  # a whole document reloads the page
        app.update_content(doc, "c")
    wait_connected(page)
    assert page.title() == "doc"
    assert page.locator("body > .pywry-toolbar #save").count() == 1
    assert page.locator("#two").inner_text() == "two"
    handle.emit("modal:open:settings")
    page.locator("#settings .pywry-modal").wait_for(state="visible")
    assert page.js_errors == []


def test_a_theme_switch_survives_a_reload_and_reaches_new_pages(make_app, page, new_page):
    app = make_app()
    handle = app.show("<p id=p>x</p>", label="t")
    other = app.show("<p>y</p>", label="o")
    open_widget(page, handle.url)
    assert look(page) == {"root": ["dark", "pywry-theme-dark"], "dataTheme": "dark", "bg": DARK_BG}
    handle.set_theme("light")
    page.wait_for_function("() => document.documentElement.classList.contains('light')")
    reload(page)
    light = {"root": ["light", "pywry-theme-light"], "dataTheme": "light", "bg": LIGHT_BG}
    assert look(page) == light
    later = new_page()
    open_widget(later, handle.url)
    assert look(later) == light
    open_widget(later, other.url)  # another widget keeps the app's theme
    assert look(later)["bg"] == DARK_BG


def test_the_releases_theme_event_and_content_updates_keep_the_switch(make_app, page):
    app = make_app()
    doc = "<!DOCTYPE html><html><head></head><body><p id=d>doc</p></body></html>"
    handle = app.show(doc, label="t")
    open_widget(page, handle.url)
    app.emit("pywry:update-theme", {"theme": "plotly_white"}, "t")  # as the release's samples
    page.wait_for_function("() => document.documentElement.classList.contains('light')")
    reload(page)
    assert look(page)["root"] == ["light", "pywry-theme-light"]
    assert page.evaluate("() => document.body.className.split(' ').sort()") == [
        "pywry-theme-light",
        "pywry-widget",
    ]
    with page.expect_navigation():
        handle.update(doc.replace("doc", "new"))
    wait_connected(page)
    assert page.locator("#d").inner_text() == "new"
    assert look(page)["bg"] == LIGHT_BG
    handle.set_theme("system")
    page.wait_for_function("() => document.documentElement.dataset.theme === 'system'")
    page.emulate_media(color_scheme="dark")
    reload(page)
    assert look(page) == {
        "root": ["dark", "pywry-theme-dark", "pywry-theme-system"],
        "dataTheme": "system",
        "bg": DARK_BG,
    }
