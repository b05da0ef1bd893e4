"""Fakes for testing code that uses pywry, without a browser or a network.

They subclass pywry's ports, so they can be swapped in with a container override::

    app = PyWry(settings={"server": {"port": 0}})
    launcher = FakeBrowserLauncher()
    app.container.browser_launcher.override(launcher)
    handle = app.show("<button>Go</button>")
    page = FakePage(app, handle.label).connect()
    page.emit("app:click", {})
    assert page.wait_for("app:response") == {...}

:class:`RecordingConnection` stands for one page's socket where a test drives the app's
page port itself.
"""

from __future__ import annotations

from ..adapters.memory import MemoryEventBus, MemoryInboundLedger, MemoryWidgetStore
from .connection import RecordingConnection
from .fakes import FakeBrowserLauncher, FakeServerRunner
from .page import CallRejected, FakePage, PageRefused

__all__ = [
    "CallRejected",
    "FakeBrowserLauncher",
    "FakePage",
    "FakeServerRunner",
    "MemoryEventBus",
    "MemoryInboundLedger",
    "MemoryWidgetStore",
    "PageRefused",
    "RecordingConnection",
]
