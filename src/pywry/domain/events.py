"""Event names and events.

Names follow ``namespace:event`` or ``namespace:event:id``; ``pywry:`` is pywry's own
namespace (``protocol.PAGE_EVENTS`` says which of its events a page may send). Handlers may
listen with the ``*`` wildcard (every event) or ``namespace:*`` (every event of one
namespace).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from .errors import InvalidEventNameError

__all__ = [
    "EVENT_NAME_PATTERN",
    "WILDCARD",
    "Event",
    "check_event_name",
    "check_handler_pattern",
    "matches",
]

EVENT_NAME_PATTERN = re.compile(r"^[a-zA-Z][a-zA-Z0-9]*:[a-zA-Z][a-zA-Z0-9_-]*(:[a-zA-Z0-9_-]+)?$")
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
    return _checked(name)


# Pages and scripts use a few names over and over: each valid one is checked once. A bad
# name raises, and is not remembered.
@functools.lru_cache(maxsize=1024)
def _checked(name: str) -> str:
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


@dataclass(frozen=True, slots=True)
class Event:
    """One event that came from a page.

    ``label`` is the widget, ``page_id`` the page that sent it (``None``: not from one page,
    such as a goodbye by beacon for the whole widget), ``call_id`` the correlation id the
    page gave the frame, so an answer can be addressed to that page and that call.
    """

    name: str
    data: Any
    label: str
    page_id: str | None = None
    call_id: str | None = None
