"""The fake page for ``async def`` tests: every wait is awaited, none blocks the test's loop.

The app under test runs its own loop on its own thread (browser mode), so the waiting calls
of :class:`FakePage` are run on a worker thread of the test's event loop (anyio's, so it
works under pytest-asyncio and anyio's pytest plugin alike).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from .page import _MISSING, FakePage

if TYPE_CHECKING:
    from ..app.facade import PyWry

__all__ = ["AsyncFakePage"]


class AsyncFakePage:
    """:class:`FakePage` with awaitable methods; the same arguments, the same answers.

    ``page = await AsyncFakePage(app, "w").connect()``, then ``await page.emit(...)``,
    ``await page.call(...)``, ``await page.wait_for(...)``, ``await page.close()``. What
    only reads (``events()``, ``frames``, ``html``, ``alerts``) needs no ``await``.
    """

    def __init__(
        self, app: PyWry, label: str, *, token: Any = _MISSING, since: int | None = None
    ) -> None:
        self.sync = FakePage(app, label, token=token, since=since)

    async def _run(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        import anyio.to_thread  # only async tests pay for it

        return await anyio.to_thread.run_sync(partial(fn, *args, **kwargs))

    async def connect(self, *, ready: bool = True) -> AsyncFakePage:
        await self._run(self.sync.connect, ready=ready)
        return self

    async def emit(
        self, event_type: str, data: Any = None, *, wait: bool = False, timeout: float = 5.0
    ) -> None:
        await self._run(self.sync.emit, event_type, data, wait=wait, timeout=timeout)

    async def call(self, event_type: str, data: Any = None, *, timeout: float = 5.0) -> Any:
        return await self._run(self.sync.call, event_type, data, timeout=timeout)

    def handle(self, event_type: str, fn: Callable[[Any], Any] | None) -> AsyncFakePage:
        self.sync.handle(event_type, fn)
        return self

    async def send_raw(self, text: str | bytes) -> None:
        await self._run(self.sync.send_raw, text)

    async def wait_for(self, event_type: str, *, count: int = 1, timeout: float = 5.0) -> Any:
        return await self._run(self.sync.wait_for, event_type, count=count, timeout=timeout)

    async def wait_closed(self, timeout: float = 5.0) -> int:
        code: int = await self._run(self.sync.wait_closed, timeout)
        return code

    async def close(self, *, goodbye: bool = True) -> None:
        await self._run(self.sync.close, goodbye=goodbye)

    def events(self, event_type: str | None = None) -> list[Any]:
        return self.sync.events(event_type)

    @property
    def frames(self) -> list[dict[str, Any]]:
        return self.sync.frames

    @property
    def label(self) -> str:
        return self.sync.label

    @property
    def html(self) -> str:
        return self.sync.html

    @property
    def title(self) -> str:
        return self.sync.title

    @property
    def alerts(self) -> list[dict[str, Any]]:
        return self.sync.alerts

    @property
    def close_code(self) -> int | None:
        return self.sync.close_code

    @property
    def last_seq(self) -> int:
        return self.sync.last_seq
