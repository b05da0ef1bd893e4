"""The page-facing side of the app: what a server adapter (or a fake page) may ask of it.

The HTTP adapter renders pages, admits their sockets, hands over what they send and reports
when they go; :class:`~pywry.testing.FakePage` does the same without a socket. Both speak
only this interface, so the hub behind it can change without breaking either.
All of it runs on the event loop.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Protocol

from ..domain.ports import PageConnection
from ..domain.protocol import Farewell
from ..domain.widget import Widget
from .pages import PageSession

__all__ = ["PagePort", "Rejection", "RenderedPage", "stopping"]


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """What the page route needs to render a widget."""

    widget: Widget
    since: int  # the page asks for events after this one
    content_seq: int = 0  # the frame of the content update the page renders (0: the show)
    epoch: str = ""  # the event log ``since`` counts in (it changes if the log is lost)


@dataclass(frozen=True, slots=True)
class Rejection:
    """Why a page may not connect: an in-band error, then a close with ``code``."""

    code: int
    error: str
    message: str


def stopping(farewell: Farewell) -> Rejection:
    """Why a page that connects while the server stops is refused, and how it is closed."""
    return Rejection(farewell.code, farewell.error, f"the pywry {farewell.reason}")


class PagePort(Protocol):
    """What pages can do: be rendered, connect, send, go, and say goodbye by beacon."""

    async def page(self, label: str) -> RenderedPage | None:
        """The widget to render at ``label``'s URL, or ``None`` (404)."""
        ...

    async def attach(
        self,
        label: str,
        *,
        token: str | None,
        page_id: str,
        since: int | None,
        conn: PageConnection,
        admit: Callable[[], Awaitable[None]] | None = None,
        epoch: str | None = None,
    ) -> PageSession | Rejection:
        """Admit a page whose socket opened, or say why not (``admit`` accepts the socket).

        ``epoch``: the event log the page's ``since`` counts in; a page of a log that was
        lost is told to reload."""
        ...

    async def receive(self, page: PageSession, raw: str | bytes) -> float:
        """Handle one message of the page; seconds its reader should pause before the next."""
        ...

    async def detach(self, page: PageSession) -> None:
        """The page's socket closed."""
        ...

    async def beacon(
        self,
        label: str,
        *,
        token: str | None,
        page_id: str | None,
        reason: str,
        trusted: bool = False,
    ) -> bool:
        """A goodbye by beacon (the page's, or the whole widget's); whether it was accepted."""
        ...

    async def register(self, label: str, html: str, title: str | None = None) -> Widget:
        """Show ``html`` under ``label`` for a caller of the JSON API; the widget shown."""
        ...
