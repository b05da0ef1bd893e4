"""pywry: put HTML on screen from a plain Python script.

``import pywry`` is light: the server stack loads on the first ``show()``.
"""

from __future__ import annotations

from ._version import __version__
from .app.facade import PyWry
from .app.handle import WidgetHandle
from .app.modes import WindowMode
from .app.settings import DeploySettings, ServerSettings, Settings, WindowSettings
from .domain.errors import (
    IllegalTransitionError,
    InvalidArgumentError,
    InvalidEventNameError,
    InvalidLabelError,
    PageCallError,
    PortInUseError,
    PyWryError,
    PyWryTimeoutError,
    ServerError,
    SettingsError,
    TlsError,
    UnknownWidgetError,
    UnsupportedModeError,
)

__all__ = [
    "DeploySettings",
    "IllegalTransitionError",
    "InvalidArgumentError",
    "InvalidEventNameError",
    "InvalidLabelError",
    "PageCallError",
    "PortInUseError",
    "PyWry",
    "PyWryError",
    "PyWryTimeoutError",
    "ServerError",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "TlsError",
    "UnknownWidgetError",
    "UnsupportedModeError",
    "WidgetHandle",
    "WindowMode",
    "WindowSettings",
    "__version__",
]
