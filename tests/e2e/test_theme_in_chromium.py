"""The theme contract user CSS is written against, and window.pywry's extras, in Chromium."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest

from conftest import quick_settings
from pywry import PyWry, WindowMode
from pywry.testing import FakeBrowserLauncher
from tabs import open_widget, wait_connected

pytestmark = pytest.mark.e2e

DARK_BG = "#212124"
LIGHT_BG = "#f5f5f5"
THEME_STATE = """() => ({
    root: [...document.documentElement.classList].sort(),
    widget: [...document.querySelector('.pywry-widget').classList].sort(),
    dataTheme: document.documentElement.dataset.theme,
    bg: getComputedStyle(document.documentElement).getPropertyValue('--pywry-bg-primary').trim(),
    inner: getComputedStyle(document.getElementById('box')).getPropertyValue('--pywry-text-primary')
        .trim(),
    paint: getComputedStyle(document.documentElement).backgroundColor,
})"""


@pytest.fixture
def themed() -> Iterator[Callable[..., PyWry]]:
    apps: list[PyWry] = []

    def make(theme: str) -> PyWry:
        app = PyWry(mode=WindowMode.BROWSER, theme=theme, settings=quick_settings())
        app.container.browser_launcher.override(FakeBrowserLauncher())
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.destroy()


def state(page: Any) -> dict[str, Any]:
    result: dict[str, Any] = page.evaluate(THEME_STATE)
    return result


@pytest.mark.parametrize(
    ("theme", "bg", "text", "paint"),
    [
        ("dark", DARK_BG, "#ebebed", "rgb(33, 33, 36)"),
        ("light", LIGHT_BG, "#000", "rgb(245, 245, 245)"),
    ],
)
def test_the_theme_is_applied_on_load(themed, page, theme, bg, text, paint):
    handle = themed(theme).show('<div id="box">box</div>', label="t")
    open_widget(page, handle.url)
    assert state(page) == {
        "root": sorted([theme, f"pywry-theme-{theme}"]),
        "widget": sorted(["pywry-widget", f"pywry-theme-{theme}"]),
        "dataTheme": theme,
        "bg": bg,
        "inner": text,
        "paint": paint,
    }
    assert page.evaluate("() => document.getElementById('box').parentElement.id") == "pywry-root"


def test_set_theme_and_update_theme_switch_without_a_reload(themed, page):
    handle = themed("dark").show('<div id="box">box</div>', label="t")
    open_widget(page, handle.url)
    page.evaluate(
        """() => { window.marker = 1; window.seen = [];
        window.pywry.on('pywry:theme-update', d => window.seen.push(d)); }"""
    )
    handle.set_theme("light")
    page.wait_for_function("() => document.documentElement.classList.contains('light')")
    got = state(page)
    assert got["root"] == ["light", "pywry-theme-light"]
    assert got["widget"] == ["pywry-theme-light", "pywry-widget"]
    assert (got["dataTheme"], got["bg"], got["inner"]) == ("light", LIGHT_BG, "#000")
    assert page.evaluate("() => window.pywry.config.theme") == "light"

    # The release's payloads: any name with "dark" in it is dark.
    handle.emit("pywry:update-theme", {"theme": "plotly_dark"})
    page.wait_for_function("() => document.documentElement.classList.contains('dark')")
    got = state(page)
    assert got["root"] == ["dark", "pywry-theme-dark"]
    assert got["bg"] == DARK_BG
    assert page.evaluate("() => [window.marker, window.seen]") == [
        1,
        [{"mode": "light", "original": "light"}, {"mode": "dark", "original": "dark"}],
    ]


def test_system_follows_the_preference(themed, page):
    page.emulate_media(color_scheme="light")
    handle = themed("system").show('<div id="box">box</div>', label="t")
    open_widget(page, handle.url)
    got = state(page)
    assert got["root"] == ["light", "pywry-theme-light", "pywry-theme-system"]
    assert got["widget"] == ["pywry-theme-light", "pywry-theme-system", "pywry-widget"]
    assert (got["dataTheme"], got["bg"]) == ("system", LIGHT_BG)
    page.emulate_media(color_scheme="dark")
    page.wait_for_function("() => document.documentElement.classList.contains('dark')")
    assert state(page)["bg"] == DARK_BG


def test_a_whole_document_gets_the_variables_and_its_body_is_the_widget(themed, page):
    doc = (
        "<!DOCTYPE html><html><head><title>doc</title>"
        "<style>#box { color: var(--pywry-accent); }</style></head>"
        '<body><div id="box">box</div></body></html>'
    )
    handle = themed("light").show(doc, label="t")
    open_widget(page, handle.url)
    got = state(page)
    assert got["root"] == ["light", "pywry-theme-light"]
    assert got["widget"] == ["pywry-theme-light", "pywry-widget"]
    assert page.evaluate("() => document.body.classList.contains('pywry-widget')")
    assert got["bg"] == LIGHT_BG
    color = page.evaluate("() => getComputedStyle(document.getElementById('box')).color")
    assert color == "rgb(0, 120, 212)"


def test_user_overrides_on_root_reach_the_content(themed, page):
    handle = themed("dark").show('<div id="box">box</div>', label="t")
    open_widget(page, handle.url)
    page.evaluate("() => window.pywry.injectCSS(':root { --pywry-text-primary: #123456; }', 'o')")
    assert state(page)["inner"] == "#123456"
    # A per-theme override, the way the release's docs write it.
    page.evaluate(
        "() => window.pywry.injectCSS('.pywry-theme-dark { --pywry-text-primary: #abcdef; }', 'o')"
    )
    assert state(page)["inner"] == "#abcdef"


def test_inject_and_remove_css_from_the_page(themed, page):
    handle = themed("dark").show('<div id="box">box</div><div id="mine">mine</div>', label="t")
    open_widget(page, handle.url)
    color = "getComputedStyle(document.getElementById('box')).color"
    returned = page.evaluate(
        f"() => [window.pywry.injectCSS('#box {{ color: rgb(9, 8, 7); }}', 'mine'), {color}]"
    )
    assert returned == ["mine", "rgb(9, 8, 7)"]
    # The same id replaces its sheet, and never touches the page's element of that id.
    page.evaluate("() => window.pywry.injectCSS('#box { color: rgb(1, 2, 3); }', 'mine')")
    assert page.evaluate(f"() => {color}") == "rgb(1, 2, 3)"
    assert (
        page.evaluate("() => document.querySelectorAll('style[data-pywry-css=mine]').length") == 1
    )
    page.evaluate("() => window.pywry.removeCSS('mine')")
    assert page.evaluate(f"() => {color}") != "rgb(1, 2, 3)"
    assert page.evaluate("() => document.getElementById('mine').textContent") == "mine"
    # Without an id, one is made up and returned.
    made = page.evaluate("() => window.pywry.injectCSS('#box { color: rgb(4, 4, 4); }')")
    assert made.startswith("pywry-css-")
    page.evaluate(f"() => window.pywry.removeCSS({made!r})")
    assert page.evaluate(f"() => {color}") != "rgb(4, 4, 4)"


def test_config_and_version(themed, page):
    from pywry import __version__

    handle = themed("light").show("<p>x</p>", label="cfg")
    open_widget(page, handle.url)
    config = page.evaluate("() => window.pywry.config")
    assert config == {"label": "cfg", "theme": "light", "version": __version__}
    assert page.evaluate("() => window.pywry.version") == __version__
    assert page.evaluate("() => Object.isFrozen(window.pywry.config)")
    assert (
        page.evaluate(
            "() => { try { window.pywry.config.theme = 'x'; } catch (e) {} return window.pywry.config.theme; }"
        )
        == "light"
    )
    token = page.evaluate(
        "() => JSON.parse(document.getElementById('pywry-config').textContent).token"
    )
    assert token not in repr(config)
    assert "token" not in config


def test_refresh_reloads_the_page_once(themed, page):
    app = themed("dark")
    counting = (
        "<p id=p>x</p><script>sessionStorage.loads = (+sessionStorage.loads || 0) + 1</script>"
    )
    handle = app.show(counting, label="r")
    open_widget(page, handle.url)
    page.evaluate("() => { window.marker = 1; }")
    with page.expect_navigation():
        handle.emit("pywry:refresh", {})
    wait_connected(page)
    assert page.evaluate("() => window.marker") is None
    # The new page starts after the refresh: it is not reloaded again, and gets what follows.
    page.evaluate("() => { window.marker = 2; }")
    handle.emit("app:after", {"n": 1})
    got = page.evaluate("() => new Promise(r => window.pywry.on('app:after', d => r(d)))")
    assert got == {"n": 1}
    assert page.evaluate("() => window.marker") == 2
    assert page.evaluate("() => sessionStorage.loads") == "2"
