"""Event names and events.

Names follow ``namespace:event`` or ``namespace:event:id``. Some namespaces are reserved
for pywry's own events and for the components of the release it mirrors. Handlers may
listen with the ``*`` wildcard (every event) or ``namespace:*`` (every event of one
namespace).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidEventNameError

__all__ = [
    "EVENT_NAME_PATTERN",
    "REMEMBERED_NAMES",
    "RESERVED_NAMESPACES",
    "WILDCARD",
    "Event",
    "check_event_name",
    "check_handler_pattern",
    "matches",
]

EVENT_NAME_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*:[a-zA-Z][a-zA-Z0-9_-]*(:[a-zA-Z0-9_-]+)?$")
# How many names a hot path may remember as checked, so a name is checked once, not per event.
REMEMBERED_NAMES = 1024
RESERVED_NAMESPACES = frozenset({"pywry", "plotly", "grid", "menu", "tray", "window", "toolbar"})
WILDCARD = "*"
_NAMESPACE_WILDCARD = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*:\*$")
_HINT = (
    "use 'namespace:event' or 'namespace:event:id', for example 'app:click' or "
    "'chart:select:3' (a namespace of letters and digits, an event of letters, digits, '_' "
    "and '-', each starting with a letter; an id of letters, digits, '_' and '-')"
)


def check_event_name(name: object) -> str:
    """Return ``name`` if it is a valid event name, else raise :class:`InvalidEventNameError`."""
    if not isinstance(name, str):
        raise InvalidEventNameError(f"event name must be a string, got {type(name).__name__}")
    if EVENT_NAME_PATTERN.match(name) is None:
        raise InvalidEventNameError(f"invalid event name {name!r}: {_HINT}")
    return name


def check_handler_pattern(pattern: object) -> str:
    """Like :func:`check_event_name`, but also accepts ``*`` and ``namespace:*``."""
    if isinstance(pattern, str) and (
        pattern == WILDCARD or _NAMESPACE_WILDCARD.match(pattern) is not None
    ):
        return pattern
    try:
        return check_event_name(pattern)
    except InvalidEventNameError as exc:
        raise InvalidEventNameError(f"{exc}; '*' and 'namespace:*' listen to many") from None


def matches(pattern: str, name: str) -> bool:
    """Whether a handler registered for ``pattern`` receives the event ``name``."""
    if pattern in (name, WILDCARD):
        return True
    if pattern.endswith(":*"):
        return name.startswith(pattern[:-1])
    return False


@dataclass(slots=True)
class Event:
    """One event that came from a page: its name, its JSON data and the widget it belongs to.

    Read-only by convention, and not hashable. Not a frozen dataclass, because one is built
    for every event a page sends, and a frozen one takes three times as long to build.
    """

    name: str
    data: Any
    label: str

    @property
    def namespace(self) -> str:
        return self.name.split(":", 1)[0]
