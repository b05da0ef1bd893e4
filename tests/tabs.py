"""Helpers for end-to-end tests: a Chromium tab on a widget's page, and the text it shows."""

from __future__ import annotations

from typing import Any

__all__ = ["open_widget", "text_of", "wait_body_says", "wait_connected", "wait_text"]


def wait_connected(page: Any, timeout: float = 10_000) -> None:
    """Wait until the page's bridge is connected to the server (``timeout`` in ms)."""
    page.wait_for_function("() => window.pywry && window.pywry.connected", timeout=timeout)


def open_widget(page: Any, url: str, timeout: float = 10_000) -> None:
    """Load a widget's page in ``page`` and wait until its bridge is connected."""
    page.goto(url)
    wait_connected(page, timeout)


def text_of(page: Any, selector: str) -> str:
    """The text of the one element ``selector`` matches (a locator is strict), as it shows."""
    return page.locator(selector).inner_text()


def wait_text(page: Any, selector: str, text: str) -> None:
    """Wait until the first element ``selector`` matches has the text ``text`` (trimmed)."""
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return !!e && e.textContent.trim() === t; }",
        arg=[selector, text],
    )


def wait_body_says(page: Any, text: str) -> None:
    """Wait until ``text`` shows anywhere in the page (a toast, a status line...)."""
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text)
