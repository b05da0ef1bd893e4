"""A page with a toolbar of ten items loads in one round trip: the page itself carries the
components' style sheet and script, so the browser asks for nothing but the page and the
(cacheable) bridge script; and a page without components does not carry them."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pywry import Button, Select, SliderInput, TextInput, Toggle, Toolbar
from tabs import open_widget

pytestmark = pytest.mark.e2e


def ten_items() -> list[Any]:
    return [
        *[Button(label=f"B{k}", event=f"app:b{k}") for k in range(6)],
        Select(label="Pick", event="app:pick", options=["one", "two"], selected="one"),
        Toggle(label="Dark", event="app:dark"),
        TextInput(label="Name", event="app:name"),
        SliderInput(label="Zoom", event="app:zoom", min=0, max=10, value=5),
    ]


def test_a_page_with_a_ten_item_toolbar_asks_for_the_page_and_the_bridge_only(make_app, page):
    app = make_app()
    handle = app.show("<p id=content>x</p>", label="bar", toolbars=[Toolbar(items=ten_items())])
    plain = app.show("<p>plain</p>", label="plain")
    asked: list[str] = []
    page.on("request", lambda request: asked.append(request.url))
    open_widget(page, handle.url)
    assert page.locator(".pywry-toolbar button").count() == 6
    assert [u.split("/")[-1].split("?")[0] for u in asked] == ["bar", "bridge.js"]
    with_bar = httpx.get(handle.url).text
    without = httpx.get(plain.url).text
    assert "pywry-toolbar" not in without
    # What ten items add to the page: their markup, the style sheet and the script, once.
    assert len(with_bar.encode()) - len(without.encode()) < 26_000  # 21,031 when written
