"""What a widget keeps across changes: its toolbars and modals through content updates, and
its theme through reloads (a page loaded later comes up as the widget is now)."""

from __future__ import annotations

import pytest

from conftest import fake_settings
from pywry import HtmlContent, Modal, Toolbar
from pywry.domain.components import Button
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings())


def _components() -> dict[str, list[object]]:
    return {
        "toolbars": [Toolbar(component_id="bar", items=[Button(label="Go", event="app:go")])],
        "modals": [Modal(component_id="dialog", title="Settings")],
    }


def _has_components(html: str) -> bool:
    return 'id="bar"' in html and 'id="dialog"' in html and "__PYWRY_TOOLBAR__" in html


@pytest.mark.parametrize("how", ["update", "update_html", "update_content"])
def test_an_update_keeps_the_toolbars_and_modals_around_the_new_content(app, how):
    handle = app.show("<p>old</p>", label="w", **_components())
    page = FakePage(app, "w").connect()
    if how == "update_content":
        app.update_content("<p>new</p>", "w")
    else:
        getattr(handle, how)("<p>new</p>")
    page.wait_for("pywry:update-html")
    assert _has_components(page.html)
    assert "<p>new</p>" in page.html
    assert "<p>old</p>" not in page.html
    assert page.html.index('id="bar"') < page.html.index("<p>new</p>")
    reloaded = FakePage(app, "w").connect()  # a reload renders the same
    assert reloaded.html == page.html


def test_html_content_updates_keep_them_too(app):
    handle = app.show(HtmlContent("<p>old</p>"), label="w", **_components())
    page = FakePage(app, "w").connect()
    handle.update(HtmlContent("<p>new</p>", inline_css="p{color:red}"))
    page.wait_for("pywry:update-html")
    assert _has_components(page.html)
    assert "p{color:red}" in page.html
    assert "<p>new</p>" in page.html


def test_a_whole_document_update_gets_them_inside_its_body(app):
    handle = app.show("<p>old</p>", label="w", **_components())
    page = FakePage(app, "w").connect()
    handle.update("<!DOCTYPE html><html><head></head><body><p>doc</p></body></html>")
    page.wait_for("pywry:update-html")
    html = page.html
    assert html.startswith("<!DOCTYPE html><html><head></head><body>")
    assert html.index('id="bar"') < html.index("<p>doc</p>") < html.index('id="dialog"')
    assert html.endswith("</body></html>")


def test_showing_the_label_again_replaces_them_with_what_it_gives(app):
    app.show("<p>1</p>", label="w", **_components())
    page = FakePage(app, "w").connect()
    app.show("<p>2</p>", label="w", toolbars=[Toolbar(component_id="other")])
    page.wait_for("pywry:update-html")
    assert 'id="other"' in page.html
    assert 'id="bar"' not in page.html
    assert 'id="dialog"' not in page.html
    app.show("<p>3</p>", label="w")
    page.wait_for("pywry:update-html", count=2)
    assert page.html == "<p>3</p>"
    app.update_content("<p>4</p>", "w")
    page.wait_for("pywry:update-html", count=3)
    assert page.html == "<p>4</p>"  # no components: the content exactly as given


def test_a_widget_without_components_updates_to_exactly_the_content(app):
    handle = app.show("<p>1</p>", label="w")
    page = FakePage(app, "w").connect()
    handle.update("<p>2</p>")
    page.wait_for("pywry:update-html")
    assert page.html == "<p>2</p>"


def test_a_theme_switch_is_the_widgets_theme_for_pages_loaded_later(app):
    handle = app.show("<p>x</p>", label="w")
    other = app.show("<p>y</p>", label="v")
    page = FakePage(app, "w").connect()
    assert page.theme == "dark"  # the app's
    handle.set_theme("light")
    page.wait_for("pywry:update-theme")
    assert page.theme == "light"
    assert FakePage(app, "w").connect().theme == "light"  # a reload
    assert FakePage(app, "v").connect().theme == "dark"  # another widget keeps the app's
    assert app.container.gateway().widget("w").theme == "light"
    other.close()


def test_the_releases_theme_event_and_names_are_kept_as_the_page_reads_them(app):
    app.show("<p>x</p>", label="w")
    app.show("<p>y</p>", label="v")
    pages = [FakePage(app, "w").connect(), FakePage(app, "v").connect()]
    app.emit("pywry:update-theme", {"theme": "plotly_white"})  # every widget
    for page in pages:
        page.wait_for("pywry:update-theme")
    assert [FakePage(app, label).connect().theme for label in ("w", "v")] == ["light", "light"]
    app.emit("pywry:update-theme", {"theme": "plotly_dark"}, "w")
    app.emit("pywry:update-theme", {}, "w")  # no theme: pages ignore it, and so is it here
    pages[0].wait_for("pywry:update-theme", count=3)
    assert FakePage(app, "w").connect().theme == "dark"


def test_the_theme_stays_through_content_updates_and_goes_with_the_widget(app):
    handle = app.show("<p>x</p>", label="w", **_components())
    page = FakePage(app, "w").connect()
    handle.set_theme("system")
    handle.update("<p>new</p>")
    page.wait_for("pywry:update-html")
    reloaded = FakePage(app, "w").connect()
    assert reloaded.theme == "system"
    assert _has_components(reloaded.html)
    handle.close()
    page.wait_closed()
    app.show("<p>again</p>", label="w")  # a new widget of the same label: the app's theme
    assert FakePage(app, "w").connect().theme == "dark"
