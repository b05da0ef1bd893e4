"""pywry's testing kit: test widget code without a browser, a port or a sleep.

With pytest, the fixtures come by themselves (``pywry_app``, ``pywry_page``, ...; see
:mod:`pywry.testing.plugin`)::

    def test_clicking_answers(pywry_app, pywry_page):
        handle = pywry_app.show("<button>Go</button>", label="demo",
                                callbacks={"app:click": lambda d: handle.emit("app:done", d)})
        page = pywry_page("demo")
        page.emit("app:click", {"n": 1})
        assert page.wait_for("app:done") == {"n": 1}

Without pytest, :func:`app_with_fakes` builds the same app. The fakes subclass pywry's
ports, so they can also be swapped in with a container override by hand.
:class:`RecordingConnection` stands for one page's socket where a test drives the app's
page port itself.
"""

from __future__ import annotations

from ..adapters.memory import MemoryEventBus, MemoryInboundLedger, MemoryWidgetStore
from .apps import app_with_fakes
from .async_page import AsyncFakePage
from .connection import RecordingConnection
from .errors import CallbackErrors, CallbackFailure, CallRejected, PageRefused
from .fakes import FakeBrowserLauncher, FakeServerRunner
from .page import FakePage

__all__ = [
    "AsyncFakePage",
    "CallRejected",
    "CallbackErrors",
    "CallbackFailure",
    "FakeBrowserLauncher",
    "FakePage",
    "FakeServerRunner",
    "MemoryEventBus",
    "MemoryInboundLedger",
    "MemoryWidgetStore",
    "PageRefused",
    "RecordingConnection",
    "app_with_fakes",
]
