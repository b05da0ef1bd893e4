"""More of the release's items: text areas, search, dates, ranges, choices and marquees.

Checked when made, as the items of :mod:`pywry.domain.components` are; each registers its
kind there, so the dict form (``{"type": "radio", ...}``) builds it too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from html import escape
from typing import Any, ClassVar

from .components import (
    Option,
    TextInput,
    ToolbarItem,
    _fail,
    _number,
    _options,
    _text,
    check_item_event,
    to_item,
)

__all__ = [
    "DateInput",
    "Marquee",
    "MultiSelect",
    "RadioGroup",
    "RangeInput",
    "SearchInput",
    "SecretInput",
    "SecretText",
    "TabGroup",
    "TextArea",
    "TickerItem",
]

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_RESIZE = ("both", "horizontal", "vertical", "none")


@dataclass(frozen=True, kw_only=True)
class TextArea(TextInput):
    """Several lines of text; emits ``{value, componentId}`` ``debounce`` ms after typing."""

    kind: ClassVar[str] = "textarea"
    rows: int = 3
    cols: int = 40
    resize: str = "both"
    min_height: str = ""
    max_height: str = ""
    min_width: str = ""
    max_width: str = ""

    def _check(self, where: str) -> None:
        super()._check(where)
        for name in ("min_height", "max_height", "min_width", "max_width"):
            _text(where, name, getattr(self, name))
        for name in ("rows", "cols"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise _fail(where, f"{name} must be a whole number of 1 or more, got {value!r}")
        if self.resize not in _RESIZE:
            raise _fail(where, f"resize must be one of {', '.join(_RESIZE)}")


@dataclass(frozen=True, kw_only=True)
class SearchInput(TextInput):
    """A search box; emits ``{value, componentId}`` ``debounce`` ms after typing."""

    kind: ClassVar[str] = "search"
    placeholder: str = "Search..."


@dataclass(frozen=True, kw_only=True)
class DateInput(ToolbarItem):
    """A date picker; emits ``{value: "YYYY-MM-DD", componentId}`` on change."""

    kind: ClassVar[str] = "date"
    value: str = ""
    min: str = ""
    max: str = ""

    def _check(self, where: str) -> None:
        for name in ("value", "min", "max"):
            value = getattr(self, name)
            _text(where, name, value)
            if value and _DATE.match(value) is None:
                raise _fail(where, f"{name} must be a date as YYYY-MM-DD, got {value!r}")


@dataclass(frozen=True, kw_only=True)
class RangeInput(ToolbarItem):
    """Two handles on one track; emits ``{start, end, componentId}`` while they move."""

    kind: ClassVar[str] = "range"
    start: float = 0
    end: float = 100
    min: float = 0
    max: float = 100
    step: float = 1
    show_value: bool = True
    debounce: int = 50

    def _check(self, where: str) -> None:
        for name in ("start", "end", "min", "max", "step", "debounce"):
            _number(where, name, getattr(self, name))
        if not self.min <= self.start <= self.end <= self.max:
            raise _fail(
                where,
                f"min <= start <= end <= max must hold, got {self.min}, {self.start},"
                f" {self.end}, {self.max}",
            )


@dataclass(frozen=True, kw_only=True)
class _Choices(ToolbarItem):
    options: Sequence[Option] = ()
    selected: str = ""

    def _check(self, where: str) -> None:
        object.__setattr__(self, "options", tuple(_options(where, self.options)))
        _text(where, "selected", self.selected)


@dataclass(frozen=True, kw_only=True)
class RadioGroup(_Choices):
    """One choice of several, all in view; emits ``{value, componentId}``."""

    kind: ClassVar[str] = "radio"
    direction: str = "horizontal"

    def _check(self, where: str) -> None:
        super()._check(where)
        if self.direction not in ("horizontal", "vertical"):
            raise _fail(where, "direction must be 'horizontal' or 'vertical'")


@dataclass(frozen=True, kw_only=True)
class TabGroup(_Choices):
    """Tabs; emits ``{value, componentId}`` when another tab is chosen."""

    kind: ClassVar[str] = "tab"
    size: str = "md"

    def _check(self, where: str) -> None:
        super()._check(where)
        if self.size not in ("sm", "md", "lg"):
            raise _fail(where, "size must be 'sm', 'md' or 'lg'")


@dataclass(frozen=True, kw_only=True)
class MultiSelect(ToolbarItem):
    """Several choices; emits ``{values: [...], componentId}`` when one is ticked or not."""

    kind: ClassVar[str] = "multiselect"
    options: Sequence[Option] = ()
    selected: Sequence[str] = ()

    def _check(self, where: str) -> None:
        object.__setattr__(self, "options", tuple(_options(where, self.options)))
        if isinstance(self.selected, str) or not isinstance(self.selected, (list, tuple)):
            raise _fail(where, f"selected must be a list of values, got {self.selected!r}")
        for value in self.selected:
            _text(where, "each selected value", value)
        object.__setattr__(self, "selected", tuple(self.selected))


_DIRECTIONS = ("left", "right", "up", "down")
_BEHAVIORS = ("scroll", "alternate", "slide", "static")


@dataclass(frozen=True, kw_only=True)
class Marquee(ToolbarItem):
    """Scrolling content; ``text`` is HTML (TickerItem spans go in it), as in the release,
    or ``children`` (items) in its place; a static one cycles through ``items`` (HTML), one
    every ``speed`` seconds. With ``clickable``, a click emits ``{value: text, componentId}``."""

    kind: ClassVar[str] = "marquee"
    text: str = ""
    speed: float = 15.0
    direction: str = "left"
    behavior: str = "scroll"
    pause_on_hover: bool = True
    gap: int = 50
    clickable: bool = False
    separator: str = ""
    items: Sequence[str] | None = None
    children: Sequence[ToolbarItem] | None = None

    def _check(self, where: str) -> None:
        _text(where, "text", self.text)
        _text(where, "separator", self.separator)
        if self.items is not None:
            if isinstance(self.items, str) or not isinstance(self.items, (list, tuple)):
                raise _fail(where, f"items must be a list of HTML strings, got {self.items!r}")
            for entry in self.items:
                _text(where, "each of items", entry)
            object.__setattr__(self, "items", tuple(self.items))
        if self.children is not None:
            if not isinstance(self.children, (list, tuple)):
                raise _fail(where, f"children must be a list of items, got {self.children!r}")
            object.__setattr__(self, "children", tuple(to_item(c) for c in self.children))
        _number(where, "speed", self.speed)
        if not 1 <= self.speed <= 300:
            raise _fail(where, f"speed is seconds per cycle, from 1 to 300, got {self.speed}")
        if isinstance(self.gap, bool) or not isinstance(self.gap, int) or not 0 <= self.gap <= 500:
            raise _fail(where, f"gap must be whole pixels from 0 to 500, got {self.gap!r}")
        if self.direction not in _DIRECTIONS:
            raise _fail(where, f"direction must be one of {', '.join(_DIRECTIONS)}")
        if self.behavior not in _BEHAVIORS:
            raise _fail(where, f"behavior must be one of {', '.join(_BEHAVIORS)}")

    def update_payload(
        self,
        text: str | None = None,
        html_content: str | None = None,
        speed: float | None = None,
        paused: bool | None = None,
        separator: str | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The event and payload that change this marquee: ``handle.emit(*payload)``."""
        given: dict[str, Any] = {"text": text, "html": html_content, "speed": speed}
        given.update(paused=paused, separator=separator)
        payload: dict[str, Any] = {"id": self.component_id}
        payload.update({k: v for k, v in given.items() if v is not None})
        return "toolbar:marquee-set-content", payload


@dataclass(frozen=True, kw_only=True)
class TickerItem:
    """One updatable entry of a :class:`Marquee` (a price, a metric), found by ``ticker``.

    Its ``build_html()`` is the release's helper that a script joins into a Marquee's
    ``text``, so it lives with the value: ``text`` is escaped, ``html`` is the user's HTML.
    """

    ticker: str
    text: str = ""
    html: str = ""
    class_name: str = ""
    style: str = ""

    def __post_init__(self) -> None:
        for name in ("ticker", "text", "html", "class_name", "style"):
            _text("TickerItem", name, getattr(self, name))
        if not self.ticker:
            raise _fail("TickerItem", "ticker must name the entry, such as 'AAPL'")

    def build_html(self) -> str:
        classes = " ".join(filter(None, ("pywry-ticker-item", self.class_name)))
        style = f' style="{escape(self.style, quote=True)}"' if self.style else ""
        content = self.html or escape(self.text)
        return (
            f'<span data-ticker="{escape(self.ticker, quote=True)}"'
            f' class="{escape(classes, quote=True)}"{style}>{content}</span>'
        )

    def update_payload(
        self,
        text: str | None = None,
        html_content: str | None = None,
        styles: dict[str, str] | None = None,
        class_add: str | list[str] | None = None,
        class_remove: str | list[str] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """The event and payload that change every copy of this entry in the page."""
        given: dict[str, Any] = {"text": text, "html": html_content, "styles": styles}
        given.update(class_add=class_add, class_remove=class_remove)
        payload: dict[str, Any] = {"ticker": self.ticker}
        payload.update({k: v for k, v in given.items() if v is not None})
        return "toolbar:marquee-set-item", payload


class SecretText:
    """A secret's text that never shows itself in a repr, a str or a log line (the release
    gives a ``SecretStr``, whose ``get_secret_value()`` this keeps)."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def __repr__(self) -> str:
        return "SecretText('**********')" if self._value else "SecretText('')"

    __str__ = __repr__

    def __bool__(self) -> bool:
        return bool(self._value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, SecretText) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)

    def get_secret_value(self) -> str:
        return self._value


@dataclass(frozen=True, kw_only=True)
class SecretInput(ToolbarItem):
    """A masked value (an API key, a token): the page gets a mask, never the value.

    The eye and copy buttons ask Python for it (``{event}:reveal``, ``{event}:copy``
    ``{componentId}``); the edit button sends a new one as ``{event}`` ``{value: base64,
    encoded: true, componentId}``. ``handler(value, *, component_id, event, label)`` keeps
    it elsewhere: called with None it returns the secret, with a string it stores it.
    """

    kind: ClassVar[str] = "secret"
    value: Any = field(default="", repr=False)
    placeholder: str = ""
    debounce: int = 300
    show_toggle: bool = True
    show_copy: bool = True
    handler: Callable[..., str | None] | None = field(default=None, repr=False)
    value_exists: bool | None = None

    def _check(self, where: str) -> None:
        value = self.value
        if hasattr(value, "get_secret_value"):  # the release's SecretStr
            value = value.get_secret_value()
        _text(where, "value", value)
        object.__setattr__(self, "value", SecretText(value))
        _text(where, "placeholder", self.placeholder)
        for name in ("show_toggle", "show_copy"):
            if not isinstance(getattr(self, name), bool):
                raise _fail(where, f"{name} must be True or False")
        if self.value_exists is not None and not isinstance(self.value_exists, bool):
            raise _fail(where, "value_exists must be True, False or None")
        if self.handler is not None and not callable(self.handler):
            raise _fail(where, "handler must be callable")
        _number(where, "debounce", self.debounce)
        # The buttons send "<event>:reveal" and "<event>:copy": those must be names too.
        if self.event != "toolbar:input":
            check_item_event(f"{where} {self.component_id!r}", f"{self.event}:reveal")

    @property
    def has_value(self) -> bool:
        """Whether there is a value to mask, without looking at it."""
        return self.value_exists if self.value_exists is not None else bool(self.value)

    def get_reveal_event(self) -> str:
        return f"{self.event}:reveal"

    def get_copy_event(self) -> str:
        return f"{self.event}:copy"

    def get_reveal_response_event(self) -> str:
        return f"{self.event}:reveal-response"

    def get_copy_response_event(self) -> str:
        return f"{self.event}:copy-response"
