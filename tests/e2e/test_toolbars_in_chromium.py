"""Toolbars and modals in headless Chromium: each item renders, sends the release's payload
when used, follows set_toolbar_value, answers state requests; modals open and close."""

from __future__ import annotations

import pytest

from component_pages import EVENTS, show_toolbar_page
from pywry import Button, Modal, Toolbar
from tabs import open_widget

pytestmark = pytest.mark.e2e


@pytest.fixture
def shown(make_app, page):
    return show_toolbar_page(make_app, page)


def test_every_item_renders_where_its_toolbar_goes(shown):
    _, page, _ = shown
    assert page.locator(".pywry-toolbar-top #save").inner_text() == "Save"
    assert page.locator(".pywry-toolbar-left #zoom").count() == 1
    assert page.locator("#bold").inner_text() == "note"  # a Div's content is HTML
    assert page.locator("#theme").input_value() == "dark"
    assert page.locator("#dark").is_checked()
    assert not page.locator("#settings .pywry-modal").is_visible()
    assert page.js_errors == []


def test_each_item_sends_its_event_and_the_release_payload(shown):
    _, page, record = shown
    page.click("#save")
    page.select_option("#theme", "Light")
    page.click("#dark")
    page.click("#agree")
    page.fill("#name", "Ada")
    page.fill("#count", "7")
    page.locator("#count").dispatch_event("change")
    page.fill("#zoom", "80")
    got: dict = {}
    while len(got) < len(EVENTS):  # a number input may also send on blur: keep the last
        got = dict(record.wait_for(len(record.items) + 1 if got else len(EVENTS)))
    assert got == {
        "app:save": {"componentId": "save", "force": True},
        "app:theme": {"value": "Light", "componentId": "theme"},
        "app:dark": {"value": False, "componentId": "dark"},
        "app:agree": {"value": True, "componentId": "agree"},
        "app:name": {"value": "Ada", "componentId": "name"},
        "app:count": {"value": 7, "componentId": "count"},
        "app:zoom": {"value": 80, "componentId": "zoom"},
    }


def test_set_toolbar_value_changes_what_the_page_shows(shown):
    handle, page, _ = shown
    handle.set_toolbar_value("name", "Grace")
    page.wait_for_function("() => document.getElementById('name').value === 'Grace'")
    handle.set_toolbar_value("save", label="Store", disabled=True)
    page.wait_for_function("() => document.getElementById('save').disabled")
    assert page.locator("#save").inner_text() == "Store"
    handle.set_toolbar_values({"dark": False, "theme": "Light", "zoom": 20})
    page.wait_for_function("() => !document.getElementById('dark').checked")
    assert page.locator("#theme").input_value() == "Light"
    assert page.locator("#zoom").input_value() == "20"
    assert page.locator(".pywry-slider-value").inner_text() == "20"


def test_state_requests_are_answered_as_event_and_as_request(shown):
    handle, _, record = shown
    handle.get_toolbar_value("count", context={"n": 1})
    handle.request_toolbar_state()
    first, second = (data for _, data in record.wait_for(2))
    assert first == {"componentId": "count", "value": 1, "context": {"n": 1}}
    assert second["toolbars"]["main-bar"] == {
        "position": "top",
        "components": ["save", "theme", "dark", "agree", "name", "count"],
    }
    assert second["components"]["theme"] == {"type": "select", "value": "dark"}
    answer = handle.request("toolbar:request-state", {"componentId": "dark"}, timeout=5)
    assert answer == {"componentId": "dark", "value": True}


def test_a_modal_opens_and_closes_by_its_events(shown):
    handle, page, record = shown
    dialog = page.locator("#settings .pywry-modal")
    handle.emit("modal:open:settings")
    dialog.wait_for(state="visible")
    handle.emit("modal:close:settings")
    dialog.wait_for(state="hidden")
    assert record.wait_for(1)[0] == ("closed", {"modalId": "settings"})
    page.click("text=Settings")  # a button whose event is modal:open:<id>
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.click("text=Settings")
    page.click("#settings .pywry-modal-close")
    dialog.wait_for(state="hidden")


def test_user_values_stay_text(make_app, page):
    app = make_app()
    evil = "<img src=x onerror=window.hacked=1>"
    handle = app.show(
        "<p>x</p>",
        toolbars=[Toolbar(items=[Button(label=evil, event="app:x", data={"x": evil})])],
        modals=[Modal(component_id="m", title=evil, open_on_load=True)],
    )
    open_widget(page, handle.url)
    assert page.locator(".pywry-toolbar-button").inner_text() == evil
    assert page.locator(".pywry-modal-title").inner_text() == evil
    assert page.evaluate("() => window.hacked") is None


def test_a_page_without_components_carries_none_of_their_script(make_app, page):
    handle = make_app().show("<p>plain</p>")
    open_widget(page, handle.url)
    assert page.evaluate("() => window.__PYWRY_TOOLBAR__") is None
    assert page.locator("#pywry-components").count() == 0
