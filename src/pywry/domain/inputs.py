"""More of the release's form items: text areas, search, dates, ranges and choices.

Checked when made, as the items of :mod:`pywry.domain.components` are; each registers its
kind there, so the dict form (``{"type": "radio", ...}``) builds it too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from .components import Option, TextInput, ToolbarItem, _fail, _number, _options, _text

__all__ = [
    "DateInput",
    "MultiSelect",
    "RadioGroup",
    "RangeInput",
    "SearchInput",
    "TabGroup",
    "TextArea",
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

    def _check(self, where: str) -> None:
        super()._check(where)
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
