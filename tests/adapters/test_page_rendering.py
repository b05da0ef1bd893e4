"""Where a whole document gets the bridge: its first real head, never a mention of one."""

from __future__ import annotations

import pytest

from pywry.adapters.http.page import render_page
from pywry.domain.protocol import Routes
from pywry.domain.widget import Widget

BRIDGE = '<script src="/_pywry/bridge.js"></script>'


def rendered(html: str) -> str:
    widget = Widget(label="d", html=html)
    return render_page(widget, since=0, routes=Routes(), script_src="/_pywry/bridge.js")


@pytest.mark.parametrize(
    ("document", "before_bridge"),
    [
        (
            "<!DOCTYPE html>\n<!-- this page's <head> holds the styles -->\n"
            "<html><head><title>t</title></head><body>x</body></html>",
            "<html><head>",
        ),
        (
            "<!DOCTYPE html><html><body><script>var t = '<head><meta></head>';</script></body>"
            "</html>",
            "<!DOCTYPE html><html><head>",
        ),
        ("<!doctype html><p>no html tag</p>", "<!doctype html><head>"),
        ("<html lang=en><HEAD data-x=1><title>t</title></HEAD></html>", "<HEAD data-x=1>"),
        ("<!DOCTYPE html><html><title>a <head> in a title</title><head></head>", "<head>"),
        ('<html data-x="a>b"><body>x</body></html>', '<html data-x="a>b"><head>'),
        ("<!DOCTYPE html><html><head data-x='a>b'><title>t</title></head>", "<head data-x='a>b'>"),
        (
            '<!DOCTYPE html><html><meta content="the <head> element"><body></body></html>',
            "<!DOCTYPE html><html><head>",
        ),
        ("<!DOCTYPE html><html><head-bar></head-bar><head></head>", "<head-bar></head-bar><head>"),
        (
            "\ufeff<!DOCTYPE html><html lang=de><head><title>mine</title></head>",
            "<html lang=de><head>",
        ),
    ],
)
def test_the_bridge_goes_into_the_documents_real_head(document, before_bridge):
    page = rendered(document)
    config_at = page.index('<script id="pywry-config"')
    assert page[:config_at].endswith(before_bridge)
    assert page.count(BRIDGE) == 1
    assert page.index(BRIDGE) < page.lower().index("</head>", config_at)
