"""The theme contract in the page pywry renders: classes, the variables' sheet, its size."""

from __future__ import annotations

import re
from pathlib import Path

import msgspec
import pytest

from pywry import __version__
from pywry.adapters.http.page import render_not_found, render_page
from pywry.domain.protocol import Routes
from pywry.domain.widget import Widget

DOCS = Path(__file__).parents[2] / "docs" / "browser-mode.md"
SHEET = re.compile(r'<style id="pywry-theme">(.*?)</style>', re.DOTALL)
VARIABLE = re.compile(r"--pywry-[a-z-]+")


def rendered(html: str, theme: str = "dark") -> str:
    widget = Widget(label="t", html=html)
    return render_page(widget, since=0, routes=Routes(), script_src="/b.js", theme=theme)


@pytest.mark.parametrize("theme", ["dark", "light"])
def test_a_fragment_has_the_classes_before_any_script_runs(theme):
    page = rendered("<p>x</p>", theme)
    assert f'<html lang="en" data-theme="{theme}" class="{theme} pywry-theme-{theme}">' in page
    assert f'<div id="pywry-root" class="pywry-widget pywry-theme-{theme}"><p>x</p></div>' in page


def test_system_is_left_to_the_page_which_knows_the_preference():
    page = rendered("<p>x</p>", "system")
    assert '<html lang="en" data-theme="system" class="pywry-theme-system">' in page
    assert 'class="pywry-widget pywry-theme-system"' in page


@pytest.mark.parametrize("document", [False, True])
def test_a_widget_switched_to_a_theme_is_rendered_in_it_whatever_the_apps(document):
    html = "<!DOCTYPE html><html><head></head><body>x</body></html>" if document else "<p>x</p>"
    widget = Widget(label="t", html=html).themed("light")
    page = render_page(widget, since=0, routes=Routes(), script_src="/b.js", theme="dark")
    config = re.search(r'<script id="pywry-config" type="application/json">(.*?)</script>', page)
    assert config is not None
    assert msgspec.json.decode(config.group(1))["theme"] == "light"  # the bridge paints it
    if not document:
        assert '<html lang="en" data-theme="light" class="light pywry-theme-light">' in page


def test_the_theme_is_escaped():
    page = rendered("<p>x</p>", 'x" onload="alert(1)')
    assert 'onload="alert(1)' not in page
    assert "x&quot; onload=&quot;alert(1)" in page


def test_a_whole_document_gets_the_variables_after_the_bridge_and_keeps_its_tags():
    doc = '<!DOCTYPE html><html lang="fr"><head><title>t</title></head><body>x</body></html>'
    page = rendered(doc)
    assert page.startswith('<!DOCTYPE html><html lang="fr"><head><script id="pywry-config"')
    sheet = SHEET.search(page)
    assert sheet is not None
    assert page.index('<script src="/b.js"></script>') < sheet.start() < page.index("<title>")
    assert "<body>x</body>" in page
    # Only the variables: the document keeps its own look.
    assert ":where(body)" not in sheet.group(1)


def test_the_config_has_the_version_and_the_theme():
    page = rendered("<p>x</p>", "light")
    raw = re.search(r'<script id="pywry-config" type="application/json">(.*?)</script>', page)
    assert raw is not None
    config = msgspec.json.decode(raw.group(1))
    assert (config["version"], config["theme"]) == (__version__, "light")


def test_the_sheet_stays_small():
    sheet = SHEET.search(rendered("<p>x</p>"))
    assert sheet is not None
    assert len(sheet.group(0).encode()) < 1600
    assert len(rendered("<p>x</p>").encode()) < 2400


def test_every_variable_is_documented_and_every_documented_one_is_there():
    sheet = SHEET.search(rendered("<p>x</p>"))
    assert sheet is not None
    docs = DOCS.read_text(encoding="utf-8")
    section = docs[docs.index("## Themes and CSS") :]
    section = section[: section.index("\n## ", 1)]
    defined = set(VARIABLE.findall(sheet.group(1)))
    assert len(defined) == 27
    assert set(VARIABLE.findall(section)) == defined


def test_the_not_found_page_is_themed_too():
    assert "--pywry-bg-primary" in render_not_found("nope")
