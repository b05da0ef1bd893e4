"""Toolbars and modals: the containers of :mod:`pywry.domain.components`' items.

Each is frozen and checked when made (its position or size, the ids of its items); the
ids of every toolbar, modal and item of one page must differ, since the page's script and
``set_toolbar_value`` find them by it.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import inputs  # noqa: F401 (loading it registers its kinds for the dict form)
from .components import (
    ToolbarItem,
    _build,
    _fail,
    _new_id,
    _text,
    check_item_event,
    check_script,
    to_item,
    walk,
)
from .errors import InvalidArgumentError

__all__ = ["POSITIONS", "Modal", "Toolbar", "check_unique_ids", "to_modals", "to_toolbars"]

POSITIONS = ("header", "footer", "top", "bottom", "left", "right", "inside")
_MODAL_SIZES = ("sm", "md", "lg", "xl", "full")


@dataclass(frozen=True, kw_only=True)
class _Container:
    component_id: str = ""
    items: Sequence[ToolbarItem] = ()
    style: str = ""
    class_name: str = ""
    script: str | os.PathLike[str] | None = None

    def __post_init__(self) -> None:
        where = type(self).__name__
        check_script(where, self.script)
        if not self.component_id:
            object.__setattr__(self, "component_id", _new_id(where.lower()))
        for name in ("component_id", "style", "class_name"):
            _text(where, name, getattr(self, name))
        if not isinstance(self.items, (list, tuple)):
            raise _fail(where, f"items must be a list, got {type(self.items).__name__}")
        object.__setattr__(self, "items", tuple(to_item(item) for item in self.items))
        check_unique_ids([self])
        self._check(where)

    def _check(self, where: str) -> None:
        """Each kind's own fields."""


@dataclass(frozen=True, kw_only=True)
class Toolbar(_Container):
    """Items in a bar at ``position``: top, bottom, left, right, inside (over the content's
    top right corner), header or footer."""

    position: str = "top"
    collapsible: bool = False
    resizable: bool = False

    def _check(self, where: str) -> None:
        if self.position not in POSITIONS:
            raise _fail(where, f"position {self.position!r} is not one of {', '.join(POSITIONS)}")
        for name in ("collapsible", "resizable"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(where, f"{name} must be True or False, got {getattr(self, name)!r}")


@dataclass(frozen=True, kw_only=True)
class Modal(_Container):
    """A dialog, opened and closed by ``modal:open:<id>`` and ``modal:close:<id>``."""

    title: str = "Modal"
    size: str = "md"
    close_on_escape: bool = True
    close_on_overlay_click: bool = True
    on_close_event: str | None = None
    open_on_load: bool = False
    width: str | None = None
    max_height: str = "80vh"
    overlay_opacity: float = 0.5
    reset_on_close: bool = True

    def _check(self, where: str) -> None:
        _text(where, "title", self.title)
        _text(where, "max_height", self.max_height)
        if self.width is not None:
            _text(where, "width", self.width)
        opacity = self.overlay_opacity
        if isinstance(opacity, bool) or not isinstance(opacity, (int, float)):
            raise _fail(where, f"overlay_opacity must be a number, got {opacity!r}")
        if not 0 <= opacity <= 1:
            raise _fail(where, f"overlay_opacity must be from 0 to 1, got {opacity}")
        if self.size not in _MODAL_SIZES:
            raise _fail(where, f"size must be one of {', '.join(_MODAL_SIZES)}")
        if self.on_close_event is not None:
            check_item_event(f"Modal {self.component_id!r} on_close_event", self.on_close_event)


def to_toolbars(given: object) -> tuple[Toolbar, ...]:
    """``show(toolbars=...)``: Toolbar objects or their dict form."""
    return tuple(_containers(given, Toolbar, "toolbars"))


def to_modals(given: object) -> tuple[Modal, ...]:
    """``show(modals=...)``: Modal objects or their dict form."""
    return tuple(_containers(given, Modal, "modals"))


def _containers(given: object, cls: type[Any], name: str) -> Iterable[Any]:
    if given is None:
        return
    if not isinstance(given, (list, tuple)):
        raise InvalidArgumentError(f"show() takes {name} as a list, got {type(given).__name__}")
    for one in given:
        if isinstance(one, cls):
            yield one
        elif isinstance(one, Mapping):
            yield _build(cls, one, cls.__name__)
        else:
            raise InvalidArgumentError(
                f"show() takes {name} as {cls.__name__} objects or dicts, got {type(one).__name__}"
            )


def check_unique_ids(containers: Iterable[_Container]) -> None:
    """Every toolbar, modal and item of one page has its own id: the page's script and
    ``set_toolbar_value`` find them by it."""
    seen: dict[str, str] = {}
    for container in containers:
        things: tuple[_Container | ToolbarItem, ...] = (container, *walk(container.items))
        for thing in things:
            name = type(thing).__name__
            other = seen.get(thing.component_id)
            seen[thing.component_id] = name
            if other is not None:
                raise InvalidArgumentError(
                    f"duplicate component_id {thing.component_id!r} ({other} and {name}):"
                    " each toolbar, modal and item of a page needs its own"
                )
