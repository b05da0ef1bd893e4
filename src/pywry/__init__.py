"""pywry: put HTML on screen from a plain Python script.

``import pywry`` is light: the server stack loads on the first ``show()``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
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
    from .domain.inputs import (
        DateInput,
        Marquee,
        MultiSelect,
        RadioGroup,
        RangeInput,
        SearchInput,
        SecretInput,
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
    "SecretInput",
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


# The components load on first use: most scripts never need them, and `import pywry` stays light.
_LAZY = {
    "Button": "domain.components",
    "Checkbox": "domain.components",
    "DateInput": "domain.inputs",
    "Div": "domain.components",
    "Marquee": "domain.inputs",
    "Modal": "domain.toolbars",
    "MultiSelect": "domain.inputs",
    "NumberInput": "domain.components",
    "Option": "domain.components",
    "RadioGroup": "domain.inputs",
    "RangeInput": "domain.inputs",
    "SearchInput": "domain.inputs",
    "SecretInput": "domain.inputs",
    "Select": "domain.components",
    "SliderInput": "domain.components",
    "TabGroup": "domain.inputs",
    "TextArea": "domain.inputs",
    "TextInput": "domain.components",
    "TickerItem": "domain.inputs",
    "Toggle": "domain.components",
    "Toolbar": "domain.toolbars",
    "ToolbarItem": "domain.components",
}


def __getattr__(name: str) -> Any:
    where = _LAZY.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(f".{where}", __name__), name)
    globals()[name] = value  # found here from now on
    return value
