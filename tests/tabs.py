"""Helpers for end-to-end tests: a Chromium tab on a widget's page."""

from __future__ import annotations

from typing import Any

__all__ = ["open_widget", "wait_connected"]


def wait_connected(page: Any, timeout: float = 10_000) -> None:
    """Wait until the page's bridge is connected to the server (``timeout`` in ms)."""
    page.wait_for_function("() => window.pywry && window.pywry.connected", timeout=timeout)


def open_widget(page: Any, url: str, timeout: float = 10_000) -> None:
    """Load a widget's page in ``page`` and wait until its bridge is connected."""
    page.goto(url)
    wait_connected(page, timeout)
