"""Fake adapters: a browser launcher that only records, a server runner that binds nothing."""

from __future__ import annotations

import asyncio
import threading

from ..domain.errors import IllegalTransitionError
from ..domain.ports import Bind, BoundAddress, BrowserLauncher, LaunchResult, ServerRunner

__all__ = ["FAKE_HOST", "FakeBrowserLauncher", "FakeServerRunner"]

# A host that never resolves (RFC 2606): a fake server's URL cannot be opened by mistake.
FAKE_HOST = "fake-server.invalid"


class FakeBrowserLauncher(BrowserLauncher):
    """Records every URL it is asked to open; opens nothing."""

    def __init__(self, *, opens: bool = True) -> None:
        self._opens = opens
        self._lock = threading.Lock()
        self.opened: list[str] = []

    def open(self, url: str) -> LaunchResult:
        with self._lock:
            self.opened.append(url)
        return LaunchResult(self._opens, "" if self._opens else "fake launcher told not to open")


class FakeServerRunner(ServerRunner):
    """Pretends to serve: keeps the app it was given and binds nothing.

    It reports the host ``fake-server.invalid`` (a name that never resolves, so a fake URL is
    never taken for a real one) and the configured port, 8765 for port 0. Pair it with
    :class:`~pywry.testing.FakePage` to drive the app without a network.
    """

    def __init__(self) -> None:
        self.app: object | None = None
        self.bind: Bind | None = None
        self.loop: asyncio.AbstractEventLoop | None = None
        self.starts = 0
        self.stops = 0
        self._address: BoundAddress | None = None

    def start(self, app: object, bind: Bind, loop: asyncio.AbstractEventLoop) -> BoundAddress:
        if self._address is not None:
            raise IllegalTransitionError("the fake server is already running")
        self.app, self.bind, self.loop = app, bind, loop
        self.starts += 1
        scheme = "https" if bind.tls is not None else "http"
        self._address = BoundAddress(FAKE_HOST, bind.port or 8765, scheme)
        return self._address

    def stop(self) -> None:
        if self._address is not None:
            self.stops += 1
        self._address = None

    @property
    def address(self) -> BoundAddress | None:
        return self._address
