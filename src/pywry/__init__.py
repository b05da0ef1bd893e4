"""pywry: put HTML on screen from a plain Python script.

``import pywry`` is light: the server stack loads on the first ``show()``.
"""

from __future__ import annotations

from ._version import __version__
from .app.compat import PyWryCompatibilityWarning
from .app.facade import PyWry
from .app.handle import WidgetHandle
from .app.modes import ThemeMode, WindowMode
from .app.settings import (
    DeploySettings,
    LogSettings,
    ServerSettings,
    Settings,
    ThemeSettings,
    WindowSettings,
)
from .app.settings_release import PyWrySettings, SecuritySettings
from .domain.components import (
    Button,
    Checkbox,
    Div,
    NumberInput,
    Option,
    Select,
    SliderInput,
    TextInput,
    Toggle,
    ToolbarItem,
)
from .domain.content import HtmlContent
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
from .domain.inputs import (
    DateInput,
    Marquee,
    MultiSelect,
    RadioGroup,
    RangeInput,
    SearchInput,
    TabGroup,
    TextArea,
    TickerItem,
)
from .domain.toolbars import Modal, Toolbar

__all__ = [
    "Button",
    "Checkbox",
    "DateInput",
    "DeploySettings",
    "Div",
    "HtmlContent",
    "IllegalTransitionError",
    "InvalidArgumentError",
    "InvalidEventNameError",
    "InvalidLabelError",
    "LogSettings",
    "Marquee",
    "Modal",
    "MultiSelect",
    "NumberInput",
    "Option",
    "PageCallError",
    "PortInUseError",
    "PyWry",
    "PyWryCompatibilityWarning",
    "PyWryError",
    "PyWrySettings",
    "PyWryTimeoutError",
    "RadioGroup",
    "RangeInput",
    "SearchInput",
    "SecuritySettings",
    "Select",
    "ServerError",
    "ServerSettings",
    "Settings",
    "SettingsError",
    "SliderInput",
    "TabGroup",
    "TextArea",
    "TextInput",
    "ThemeMode",
    "ThemeSettings",
    "TickerItem",
    "TlsError",
    "Toggle",
    "Toolbar",
    "ToolbarItem",
    "UnknownWidgetError",
    "UnsupportedModeError",
    "WidgetHandle",
    "WindowMode",
    "WindowSettings",
    "__version__",
]
