"""The handle a script gets back from ``show()``: one widget, its URL and its events."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..domain.errors import InvalidArgumentError
from ..domain.events import check_event_name
from .components import ToolbarCalls
from .listeners import Callback
from .modes import check_theme

if TYPE_CHECKING:
    from ..domain.content import HtmlContent
    from .facade import PyWry

__all__ = [
    "ALERT_POSITIONS",
    "ALERT_TYPES",
    "WidgetHandle",
    "alert_payload",
]

ALERT_TYPES = frozenset({"info", "success", "warning", "error", "confirm"})
ALERT_POSITIONS = frozenset({"top-right", "top-left", "bottom-right", "bottom-left"})
_BARE_ID = re.compile(r"#[A-Za-z_][\w-]*")


def alert_payload(
    message: str,
    alert_type: str,
    title: str | None,
    duration: float | None,
    callback_event: str | None,
    position: str,
) -> dict[str, Any]:
    """Check an alert's arguments and build the ``pywry:alert`` payload."""
    if alert_type not in ALERT_TYPES:
        raise InvalidArgumentError(
            f"alert_type must be one of {sorted(ALERT_TYPES)}, got {alert_type!r}"
        )
    if position not in ALERT_POSITIONS:
        raise InvalidArgumentError(
            f"position must be one of {sorted(ALERT_POSITIONS)}, got {position!r}"
        )
    if duration is not None and (
        isinstance(duration, bool) or not isinstance(duration, (int, float)) or duration < 0
    ):
        raise InvalidArgumentError(
            f"duration must be a number of milliseconds (0 or more) or None, got {duration!r}"
        )
    if alert_type == "confirm" and callback_event is None:
        raise InvalidArgumentError(
            "a 'confirm' alert needs callback_event: the event that gets {confirmed}"
        )
    if callback_event is not None:
        check_event_name(callback_event)
    return {
        "message": str(message),
        "type": alert_type,
        "title": title,
        "duration": duration,
        "position": position,
        "callback_event": callback_event,
    }


class WidgetHandle(ToolbarCalls):
    """One shown widget. Every method is safe to call from any thread."""

    __slots__ = ("_app", "_label")

    def __init__(self, app: PyWry, label: str) -> None:
        self._app = app
        self._label = label

    @property
    def label(self) -> str:
        return self._label

    @property
    def widget_id(self) -> str:
        """The same as :attr:`label` (the name the release uses)."""
        return self._label

    @property
    def url(self) -> str:
        """The widget's page: ``http://127.0.0.1:8765/widget/{label}`` with the defaults."""
        return self._app._url_for(self._label)

    def emit(self, event_type: str, data: Any = None) -> None:
        """Send an event to every open page of this widget; never blocks on slow pages."""
        self._app.emit(event_type, data, label=self._label)

    send = emit

    def on(
        self, event_type: str, callback: Callback, *, sync_to_thread: bool = True
    ) -> WidgetHandle:
        """Call ``callback`` for ``event_type`` from this widget's pages; chainable.

        A plain function runs on a worker thread (``sync_to_thread=False``: on the server's
        event loop, for quick code only), an ``async def`` one on the loop; see
        :meth:`PyWry.on <pywry.PyWry.on>`.
        """
        self._app.on(event_type, callback, label=self._label, sync_to_thread=sync_to_thread)
        return self

    def request(self, event_type: str, data: Any = None, *, timeout: float = 30.0) -> Any:
        """Ask this widget's pages and return the first answer (see :meth:`PyWry.request`)."""
        return self._app.request(event_type, data, label=self._label, timeout=timeout)

    async def request_async(
        self, event_type: str, data: Any = None, *, timeout: float = 30.0
    ) -> Any:
        """:meth:`request` for ``async def`` code: await it, on any event loop."""
        return await self._app.request_async(event_type, data, label=self._label, timeout=timeout)

    def off(self, event_type: str, callback: Callback | None = None) -> WidgetHandle:
        """Stop calling ``callback`` (every callback of ``event_type`` if None)."""
        self._app.off(event_type, callback, label=self._label)
        return self

    def update(self, html: str | HtmlContent) -> None:
        """Replace the content (HTML or ``HtmlContent``); open pages show it without a reload."""
        self._app.update_content(html, self._label)

    update_html = update

    def alert(
        self,
        message: str,
        alert_type: str = "info",
        title: str | None = None,
        duration: float | None = None,
        callback_event: str | None = None,
        position: str = "top-right",
    ) -> None:
        """Show a toast; a ``confirm`` answers ``callback_event`` with ``{confirmed}``."""
        self._app.alert(
            message, alert_type, title, duration, callback_event, position, label=self._label
        )

    def set_content(
        self, selector_or_id: str, *, html: str | None = None, text: str | None = None
    ) -> None:
        """Set an element's HTML or text (``#id`` or a CSS selector)."""
        self.emit("pywry:set-content", {**_target(selector_or_id), "html": html, "text": text})

    def set_style(self, selector_or_id: str, styles: dict[str, str]) -> None:
        self.emit("pywry:set-style", {**_target(selector_or_id), "styles": styles})

    def inject_css(self, css: str, id: str | None = None) -> None:
        self.emit("pywry:inject-css", {"css": css, "id": id})

    def remove_css(self, id: str) -> None:
        self.emit("pywry:remove-css", {"id": id})

    def navigate(self, url: str) -> None:
        self.emit("pywry:navigate", {"url": url})

    def download(
        self, content: str, filename: str, mime_type: str = "application/octet-stream"
    ) -> None:
        self.emit(
            "pywry:download", {"content": content, "filename": filename, "mimeType": mime_type}
        )

    def set_theme(self, theme: str) -> None:
        """Switch the page's theme: ``"dark"``, ``"light"`` or ``"system"``."""
        self.emit("pywry:update-theme", {"theme": check_theme(theme)})

    def close(self) -> None:
        """Close this widget: its pages are told, its URL answers 404."""
        self._app.close(self._label)

    def is_open(self) -> bool:
        return self._app.is_open(self._label)

    def __repr__(self) -> str:
        return f"WidgetHandle(label={self._label!r})"


def _target(selector_or_id: str) -> dict[str, str]:
    # "#box" alone is an id; "#box.red" or "#list > li" are selectors that start with one.
    if _BARE_ID.fullmatch(selector_or_id):
        return {"id": selector_or_id[1:]}
    return {"selector": selector_or_id}
