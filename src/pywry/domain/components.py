"""Toolbar and modal components, as values checked when they are made.

The release's classes and field names, so a script written for it builds the same objects
(or passes the same dicts). Each value is frozen and checked at construction: a bad event
name, position or field fails where the user wrote it, not later in the page. How they look
in a page is the HTTP adapter's business (``adapters/http/components.py``).
"""

from __future__ import annotations

import difflib
import os
import re
import secrets
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from .errors import InvalidArgumentError, InvalidEventNameError
from .events import check_event_name

__all__ = [
    "Button",
    "Checkbox",
    "Div",
    "NumberInput",
    "Option",
    "Select",
    "SliderInput",
    "TextInput",
    "Toggle",
    "ToolbarItem",
    "check_item_event",
    "check_script",
    "to_item",
    "walk",
]

# Namespaces the page's own script acts on; an item may only name the modal commands.
_RESERVED = frozenset({"pywry", "modal", "toolbar"})
_MODAL_COMMANDS = ("modal:open:", "modal:close:", "modal:toggle:")
_VARIANTS = ("primary", "secondary", "neutral", "ghost", "outline", "danger", "warning", "icon")
_SIZES = (None, "xs", "sm", "lg", "xl")
_DATA_NAME = re.compile(r"^[a-z][a-z0-9-]*$")
_ON_OFF = ("on", "off")
_CAPITALIZE = ("off", "none", "on", "sentences", "words", "characters")


def _new_id(kind: str) -> str:
    # The release's form, "button-1a2b3c4d": a page's script finds each item by it.
    return f"{kind}-{secrets.token_hex(4)}"


def _fail(where: str, message: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"{where}: {message}")


def _text(where: str, name: str, value: object) -> None:
    if not isinstance(value, str):
        raise _fail(where, f"{name} must be a string, got {type(value).__name__}")


def _number(where: str, name: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _fail(where, f"{name} must be a number, got {value!r}")


def check_item_event(where: str, event: object) -> str:
    """pywry's event-name rule, and the namespaces the page's script keeps for itself."""
    try:
        name = check_event_name(event)
    except InvalidEventNameError as exc:
        raise InvalidEventNameError(f"{where}: {exc}") from None
    namespace = name.split(":", 1)[0].lower()
    if namespace in _RESERVED and not name.startswith(_MODAL_COMMANDS):
        raise InvalidEventNameError(
            f"{where}: event {name!r} uses the reserved namespace {namespace!r}"
            " (pywry, modal and toolbar are the page's own; modal:open:<id>,"
            " modal:close:<id> and modal:toggle:<id> are allowed)"
        )
    return name


@dataclass(frozen=True, kw_only=True)
class Option:
    """One choice of a :class:`Select`; ``value`` defaults to ``label``."""

    label: str
    value: str | None = None
    description: str = ""
    data_attrs: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        _text("Option", "label", self.label)
        if self.value is None:
            object.__setattr__(self, "value", self.label)
        _text("Option", "value", self.value)
        _text("Option", "description", self.description)
        if not isinstance(self.data_attrs, Mapping):
            raise _fail("Option", "data_attrs must be a dict of name to text")
        for name, value in self.data_attrs.items():
            # Each becomes a data-<name> attribute: the name must be one.
            if not isinstance(name, str) or _DATA_NAME.match(name) is None:
                raise _fail("Option", f"data_attrs name {name!r} must be letters, digits and -")
            _text("Option", f"data_attrs[{name!r}]", value)


@dataclass(frozen=True, kw_only=True)
class ToolbarItem:
    """The fields every item has (the release's names)."""

    kind: ClassVar[str] = "item"
    component_id: str = ""
    label: str = ""
    description: str = ""
    event: str = "toolbar:input"
    style: str = ""
    disabled: bool = False

    @property
    def type(self) -> str:
        return self.kind

    def __post_init__(self) -> None:
        where = type(self).__name__
        if not self.component_id:
            object.__setattr__(self, "component_id", _new_id(self.kind))
        for name in ("component_id", "label", "description", "style"):
            _text(where, name, getattr(self, name))
        if not isinstance(self.disabled, bool):
            raise _fail(where, f"disabled must be True or False, got {self.disabled!r}")
        # "toolbar:input" is the release's default, for items whose event nobody reads.
        if self.event != "toolbar:input":
            check_item_event(f"{where} {self.component_id!r}", self.event)
        self._check(where)

    def _check(self, where: str) -> None:
        """Each kind's own fields."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "kind" in cls.__dict__:  # a concrete item: the dict form's "type" names it
            _KINDS[cls.kind] = cls


# Every item class by its kind, filled as each is defined (here and in inputs.py).
_KINDS: dict[str, type[ToolbarItem]] = {}


@dataclass(frozen=True, kw_only=True)
class Button(ToolbarItem):
    """Emits ``event`` with ``{componentId, **data}`` when clicked."""

    kind: ClassVar[str] = "button"
    data: Mapping[str, Any] = field(default_factory=dict)
    variant: str = "primary"
    size: str | None = None

    def _check(self, where: str) -> None:
        if not isinstance(self.data, Mapping):
            raise _fail(where, f"data must be a dict, got {type(self.data).__name__}")
        if self.variant not in _VARIANTS:
            raise _fail(where, f"variant must be one of {', '.join(_VARIANTS)}")
        if self.size not in _SIZES:
            raise _fail(where, "size must be None, 'xs', 'sm', 'lg' or 'xl'")


@dataclass(frozen=True, kw_only=True)
class Select(ToolbarItem):
    """A drop-down; emits ``{value, componentId}`` when the choice changes."""

    kind: ClassVar[str] = "select"
    options: Sequence[Option] = ()
    selected: str = ""
    searchable: bool = False  # a search box above it filters the options by their label

    def _check(self, where: str) -> None:
        object.__setattr__(self, "options", tuple(_options(where, self.options)))
        _text(where, "selected", self.selected)
        if not isinstance(self.searchable, bool):
            raise _fail(where, f"searchable must be True or False, got {self.searchable!r}")


def _options(where: str, given: object) -> Iterable[Option]:
    if not isinstance(given, (list, tuple)):
        raise _fail(where, f"options must be a list, got {type(given).__name__}")
    for option in given:
        if isinstance(option, Option):
            yield option
        elif isinstance(option, str):
            yield Option(label=option)
        elif isinstance(option, Mapping):
            yield _build(Option, option, "Option")
        else:
            raise _fail(where, f"an option must be an Option, a dict or a string: {option!r}")


@dataclass(frozen=True, kw_only=True)
class Toggle(ToolbarItem):
    """A switch; emits ``{value: bool, componentId}``."""

    kind: ClassVar[str] = "toggle"
    value: bool = False

    def _check(self, where: str) -> None:
        if not isinstance(self.value, bool):
            raise _fail(where, f"value must be True or False, got {self.value!r}")


@dataclass(frozen=True, kw_only=True)
class Checkbox(Toggle):
    """A check box; emits ``{value: bool, componentId}``."""

    kind: ClassVar[str] = "checkbox"


@dataclass(frozen=True, kw_only=True)
class TextInput(ToolbarItem):
    """A line of text; emits ``{value, componentId}`` ``debounce`` ms after typing stops."""

    kind: ClassVar[str] = "text"
    value: str = ""
    placeholder: str = ""
    debounce: int = 300
    spellcheck: bool = False
    autocomplete: str = "off"
    autocorrect: str = "off"
    autocapitalize: str = "off"

    def _check(self, where: str) -> None:
        _text(where, "value", self.value)
        _text(where, "placeholder", self.placeholder)
        _text(where, "autocomplete", self.autocomplete)
        if not isinstance(self.spellcheck, bool):
            raise _fail(where, f"spellcheck must be True or False, got {self.spellcheck!r}")
        if self.autocorrect not in _ON_OFF:
            raise _fail(where, "autocorrect must be 'on' or 'off'")
        if self.autocapitalize not in _CAPITALIZE:
            raise _fail(where, f"autocapitalize must be one of {', '.join(_CAPITALIZE)}")
        if isinstance(self.debounce, bool) or not isinstance(self.debounce, int):
            raise _fail(where, f"debounce must be whole milliseconds, got {self.debounce!r}")
        if self.debounce < 0:
            raise _fail(where, "debounce must be 0 or more")


@dataclass(frozen=True, kw_only=True)
class NumberInput(ToolbarItem):
    """A number; emits ``{value, componentId}`` on change."""

    kind: ClassVar[str] = "number"
    value: float | None = None
    min: float | None = None
    max: float | None = None
    step: float | None = None

    def _check(self, where: str) -> None:
        for name in ("value", "min", "max", "step"):
            _number(where, name, getattr(self, name), optional=True)
        if self.min is not None and self.max is not None and self.min > self.max:
            raise _fail(where, f"min ({self.min}) is more than max ({self.max})")


@dataclass(frozen=True, kw_only=True)
class SliderInput(ToolbarItem):
    """A slider; emits ``{value, componentId}`` while it moves (every ``debounce`` ms)."""

    kind: ClassVar[str] = "slider"
    value: float = 50
    min: float = 0
    max: float = 100
    step: float = 1
    show_value: bool = True
    debounce: int = 50

    def _check(self, where: str) -> None:
        for name in ("value", "min", "max", "step", "debounce"):
            _number(where, name, getattr(self, name))
        if self.min > self.max:
            raise _fail(where, f"min ({self.min}) is more than max ({self.max})")


@dataclass(frozen=True, kw_only=True)
class Div(ToolbarItem):
    """A block of the user's own HTML (``content`` is HTML, as in ``show()``)."""

    kind: ClassVar[str] = "div"
    content: str = ""
    class_name: str = ""
    script: str | os.PathLike[str] | None = None
    children: Sequence[ToolbarItem] | None = None

    def _check(self, where: str) -> None:
        _text(where, "content", self.content)
        _text(where, "class_name", self.class_name)
        check_script(where, self.script)
        if self.children is not None:
            if not isinstance(self.children, (list, tuple)):
                raise _fail(where, f"children must be a list of items, got {self.children!r}")
            object.__setattr__(self, "children", tuple(to_item(c) for c in self.children))


def walk(items: Iterable[ToolbarItem]) -> Iterator[ToolbarItem]:
    """Each item and, depth first, the items nested in it (a Div's ``children``)."""
    for item in items:
        yield item
        yield from walk(getattr(item, "children", None) or ())


def check_script(where: str, script: object) -> None:
    """A ``script`` field: JavaScript, a path to a ``.js`` file, or None (read at show())."""
    if script is not None and not isinstance(script, (str, os.PathLike)):
        raise _fail(where, f"script must be JavaScript or a file path, got {type(script).__name__}")


def _build(cls: type[Any], given: Mapping[str, Any], where: str) -> Any:
    names = [f.name for f in fields(cls)]
    for key in given:
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            hint = f"; did you mean {close[0]}?" if close else f" (fields: {', '.join(names)})"
            raise _fail(where, f"unknown field {key!r}{hint}")
    return cls(**given)


def to_item(given: object) -> ToolbarItem:
    """An item, or the release's dict form of one (``{"type": "button", ...}``)."""
    if isinstance(given, ToolbarItem):
        return given
    if not isinstance(given, Mapping):
        raise InvalidArgumentError(
            f"a toolbar item must be a component (Button, Select, ...) or a dict with a"
            f" 'type', got {type(given).__name__}"
        )
    rest = dict(given)
    kind = rest.pop("type", None)
    if kind not in _KINDS:
        raise InvalidArgumentError(
            f"unknown toolbar item type {kind!r}: use one of {', '.join(sorted(_KINDS))}"
        )
    item: ToolbarItem = _build(_KINDS[kind], rest, _KINDS[kind].__name__)
    return item
