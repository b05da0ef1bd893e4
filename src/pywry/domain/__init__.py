"""The domain of pywry: widgets, tokens, events, sessions, frame streams, the page protocol
and the ports.

Only the Python standard library is imported here.
"""

from __future__ import annotations

from .errors import (
    IllegalTransitionError,
    InvalidEventNameError,
    InvalidLabelError,
    PortInUseError,
    PyWryError,
    ServerError,
    SettingsError,
    TlsError,
    UnknownWidgetError,
    UnsupportedModeError,
)
from .events import Event, check_event_name, check_handler_pattern, matches
from .session import HandledFrames, Session, SessionState
from .stream import FrameStream
from .token import Token
from .widget import Widget, check_label, new_label

__all__ = [
    "Event",
    "FrameStream",
    "HandledFrames",
    "IllegalTransitionError",
    "InvalidEventNameError",
    "InvalidLabelError",
    "PortInUseError",
    "PyWryError",
    "ServerError",
    "Session",
    "SessionState",
    "SettingsError",
    "TlsError",
    "Token",
    "UnknownWidgetError",
    "UnsupportedModeError",
    "Widget",
    "check_event_name",
    "check_handler_pattern",
    "check_label",
    "matches",
    "new_label",
]
