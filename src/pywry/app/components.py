"""``show(toolbars=..., modals=...)`` and the handle's toolbar calls.

The components are checked here (domain values, ids unique across the page) and drawn by
the HTTP adapter the container provides, so the facade only hands its arguments over.
"""

from __future__ import annotations

from collections.abc import Callable, MutableMapping, Sequence
from typing import TYPE_CHECKING, Any

from ..domain.toolbars import Modal, Toolbar, check_unique_ids, to_modals, to_toolbars

if TYPE_CHECKING:
    from .container import Container

__all__ = ["ToolbarCalls", "add_components"]

Renderer = Callable[[str, Sequence[Toolbar], Sequence[Modal]], str]
_UNSET: Any = object()


def add_components(content: str, release: MutableMapping[str, Any], container: Container) -> str:
    """``content`` with the toolbars and modals taken out of ``release`` drawn around it."""
    toolbars = to_toolbars(release.pop("toolbars", None))
    modals = to_modals(release.pop("modals", None))
    if not (toolbars or modals) or not isinstance(content, str):
        return content  # a content that is not a string is show()'s own error to raise
    check_unique_ids([*toolbars, *modals])
    render: Renderer = container.render_components()
    return render(content, toolbars, modals)


class ToolbarCalls:
    """The release's toolbar calls on a widget handle; each sends its ``toolbar:`` event."""

    __slots__ = ()

    def emit(self, event_type: str, data: Any = None) -> None:  # the handle's own
        raise NotImplementedError

    def set_toolbar_value(
        self, component_id: str, value: Any = _UNSET, toolbar_id: str | None = None, **attrs: Any
    ) -> None:
        """Set an item's value and/or its attributes (``label``, ``disabled``, ``options``,
        ``placeholder``, ``min``, ``max``, ``step``, ``style``, ``variant``, ...)."""
        payload: dict[str, Any] = {"componentId": component_id}
        if value is not _UNSET:
            payload["value"] = value
        if toolbar_id:
            payload["toolbarId"] = toolbar_id
        payload.update(attrs)
        self.emit("toolbar:set-value", payload)

    def set_toolbar_values(self, values: dict[str, Any], toolbar_id: str | None = None) -> None:
        """Set several items' values: ``{component_id: value}``."""
        payload: dict[str, Any] = {"values": dict(values)}
        if toolbar_id:
            payload["toolbarId"] = toolbar_id
        self.emit("toolbar:set-values", payload)

    def request_toolbar_state(
        self, toolbar_id: str | None = None, context: dict[str, Any] | None = None
    ) -> None:
        """Ask the pages for every item's value: each answers with a
        ``toolbar:state-response`` event ``{toolbars, components, timestamp, context}``."""
        payload: dict[str, Any] = {}
        if toolbar_id:
            payload["toolbarId"] = toolbar_id
        if context is not None:
            payload["context"] = context
        self.emit("toolbar:request-state", payload)

    def get_toolbar_value(self, component_id: str, context: dict[str, Any] | None = None) -> None:
        """Ask the pages for one item's value: each answers with a ``toolbar:state-response``
        event ``{componentId, value, context}``."""
        payload: dict[str, Any] = {"componentId": component_id}
        if context is not None:
            payload["context"] = context
        self.emit("toolbar:request-state", payload)
