"""``show(toolbars=..., modals=...)`` and the handle's toolbar calls.

The components are checked here (domain values, ids unique across the page) and drawn by
the HTTP adapter the container provides, so the facade only hands its arguments over. The
widget keeps them drawn (its ``surround``): an update's new content is laid out inside them.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Callable, MutableMapping, Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from ..domain.errors import InvalidArgumentError

if TYPE_CHECKING:
    from ..domain.inputs import SecretInput
    from ..domain.toolbars import Modal, Toolbar
    from ..domain.widget import Surround
    from .container import Container
    from .listeners import Listener

    Drawer = Callable[[Sequence[Toolbar], Sequence[Modal]], Surround | None]

__all__ = ["ToolbarCalls", "add_components", "secret_listeners"]

_UNSET: Any = object()
_C = TypeVar("_C", "Toolbar", "Modal")


def add_components(
    release: MutableMapping[str, Any],
    container: Container,
    secrets: list[Any] | None = None,
) -> Surround | None:
    """The toolbars and modals taken out of ``release``, drawn (``None`` when there are
    none); their SecretInputs are added to ``secrets``, whose values Python keeps."""
    if release.get("toolbars") is None and release.get("modals") is None:
        release.pop("toolbars", None)
        release.pop("modals", None)
        return None  # most pages: the components' modules are not even imported
    from ..domain.components import walk
    from ..domain.toolbars import check_unique_ids, to_modals, to_toolbars

    toolbars = to_toolbars(release.pop("toolbars", None))
    modals = to_modals(release.pop("modals", None))
    if not (toolbars or modals):
        return None
    check_unique_ids([*toolbars, *modals])
    if secrets is not None:
        from ..domain.inputs import SecretInput

        items = walk(item for bar in [*toolbars, *modals] for item in bar.items)
        secrets.extend(item for item in items if isinstance(item, SecretInput))
    draw: Drawer = container.draw_components()
    return draw(_with_scripts(toolbars), _with_scripts(modals))


# How the release tells inline JavaScript from a file path in a ``script`` field.
_INLINE = ("(", "{", "function", "//", "/*", "var ", "let ", "const ", "if ", "for ", "while ")


def _read_script(where: str, script: str | os.PathLike[str] | None) -> str | None:
    """A ``script`` as JavaScript: a path is read now, at show(), so a missing file is an
    error naming it; a string is a path only if it names a file (else it is JavaScript)."""
    if script is None or (isinstance(script, str) and script.lstrip().startswith(_INLINE)):
        return script
    path = Path(script)
    if path.is_file():
        return path.read_text(encoding="utf-8")
    if isinstance(script, str):
        return script
    raise InvalidArgumentError(f"{where}: script file {str(path)!r} is not there")


def _with_scripts(containers: Sequence[_C]) -> list[_C]:
    out = []
    for container in containers:
        where = f"{type(container).__name__} {container.component_id!r}"
        items = [_read_div_scripts(item) for item in container.items]
        out.append(replace(container, items=items, script=_read_script(where, container.script)))
    return out


def _read_div_scripts(item: Any) -> Any:
    """``item`` with its Div scripts read, those nested in it (``children``) too."""
    from ..domain.components import Div

    children = getattr(item, "children", None)
    if children:
        item = replace(item, children=tuple(_read_div_scripts(child) for child in children))
    if isinstance(item, Div) and item.script is not None:
        item = replace(item, script=_read_script(f"Div {item.component_id!r}", item.script))
    return item


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


def secret_listeners(found: Sequence[SecretInput], label: str) -> list[Listener]:
    """For each SecretInput of one show(): an answer to its page's reveal and copy calls,
    and a listener for its edits, keeping the value here (or with the item's ``handler``)."""
    if not found:
        return []
    from .listeners import adapt

    stores: dict[str, dict[str, _Secret]] = {}  # by event, then by component id
    for item in found:
        stores.setdefault(item.event, {})[item.component_id] = _Secret(item)
    listeners = []
    for event, by_id in stores.items():
        listeners.append(adapt(f"{event}:reveal", partial(_answer, by_id), label))
        listeners.append(adapt(f"{event}:copy", partial(_answer, by_id), label))
        listeners.append(adapt(event, partial(_edited, by_id), label))
    return listeners


class _Secret:
    """One SecretInput's value for one show(); the page holds only its mask."""

    __slots__ = ("item", "value")

    def __init__(self, item: SecretInput) -> None:
        self.item = item
        self.value: str = item.value.get_secret_value()

    def call_handler(self, value: str | None) -> str | None:
        item = self.item
        assert item.handler is not None
        return item.handler(
            value, component_id=item.component_id, event=item.event, label=item.label
        )


def _answer(by_id: dict[str, _Secret], data: Any) -> dict[str, Any] | None:
    # The release's answer: the secret base64 encoded, so it is not plain text on the wire.
    secret = by_id.get(str(data.get("componentId"))) if isinstance(data, dict) else None
    if secret is None:
        return None
    value = secret.call_handler(None) if secret.item.handler else secret.value
    encoded = base64.b64encode(value.encode()).decode("ascii") if value else ""
    return {"componentId": secret.item.component_id, "value": encoded, "encoded": True}


def _edited(by_id: dict[str, _Secret], data: Any) -> None:
    secret = by_id.get(str(data.get("componentId"))) if isinstance(data, dict) else None
    value = data.get("value") if secret is not None else None
    if secret is None or not isinstance(value, str):
        return
    if data.get("encoded"):
        try:
            value = base64.b64decode(value, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError):
            return  # not what the page's script sends: kept as it was
    if secret.item.handler:
        secret.call_handler(value)
    else:
        secret.value = value
