"""How widgets are shown: window modes (and which one a script gets here) and themes."""

from __future__ import annotations

import enum
import logging
import os
import sys
from collections.abc import Mapping

import msgspec

from ..domain.errors import InvalidArgumentError, UnsupportedModeError
from ..domain.ports import Body
from ..domain.protocol import Control

__all__ = [
    "THEMES",
    "ThemeMode",
    "WindowMode",
    "check_theme",
    "has_display",
    "page_theme",
    "resolve_mode",
    "theme_in_frame",
]

THEMES = ("dark", "light", "system")

log = logging.getLogger("pywry")


class WindowMode(enum.StrEnum):
    """How widgets are shown. This pywry implements ``BROWSER``."""

    NEW_WINDOW = "new_window"
    SINGLE_WINDOW = "single_window"
    MULTI_WINDOW = "multi_window"
    NOTEBOOK = "notebook"
    BROWSER = "browser"

    def __str__(self) -> str:
        return self.value


class ThemeMode(enum.StrEnum):
    """The release's theme names: ``PyWry(theme=ThemeMode.DARK)`` is ``theme="dark"``."""

    LIGHT = "light"
    DARK = "dark"
    SYSTEM = "system"

    def __str__(self) -> str:
        return self.value


_NATIVE = frozenset({WindowMode.NEW_WINDOW, WindowMode.SINGLE_WINDOW, WindowMode.MULTI_WINDOW})


def check_theme(theme: object) -> str:
    """``theme`` (a string or a theme enum) as a theme name; ``InvalidArgumentError`` else."""
    name = str(getattr(theme, "value", theme))
    if name not in THEMES:
        raise InvalidArgumentError(f"theme must be one of {', '.join(THEMES)}, got {theme!r}")
    return name


def page_theme(name: object) -> str:
    """The theme a page shows for ``name``, by the release's rule (the page's bridge reads it
    the same way): ``system`` follows the browser, any name with "dark" in it is dark
    (``plotly_dark`` too), any other name light."""
    text = str(getattr(name, "value", name))
    return "system" if text == "system" else "dark" if "dark" in text else "light"


# How every encoded pywry:update-theme body starts (the encoder writes "type" first).
_THEME_FRAME = b'{"type":"%s",' % Control.UPDATE_THEME.encode()


def theme_in_frame(body: Body) -> str | None:
    """The theme a ``pywry:update-theme`` body switches its pages to; ``None`` for any other
    body, and for one without a theme (which pages ignore too)."""
    if not (isinstance(body, bytes) and body.startswith(_THEME_FRAME)):
        return None  # a body with binary values (or another event) switches no theme
    try:
        data = msgspec.json.decode(body).get("data")
    except (msgspec.DecodeError, AttributeError):
        return None
    theme = data.get("theme") if isinstance(data, dict) else None
    return page_theme(theme) if theme else None


def has_display(environ: Mapping[str, str], platform: str) -> bool:
    """Whether windows can be shown: on Linux, an X11 or Wayland display is set."""
    if platform.startswith("linux"):
        return bool(environ.get("DISPLAY") or environ.get("WAYLAND_DISPLAY"))
    return True


def resolve_mode(
    requested: WindowMode | str | None,
    configured: str | None,
    *,
    environ: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> WindowMode:
    """The mode to run in: the argument, else ``[window] mode``, else browser mode.

    A native-window mode on a machine with no display falls back to browser mode (with a
    log line); anywhere else it is refused with an error that names browser mode.
    """
    environ = os.environ if environ is None else environ
    platform = sys.platform if platform is None else platform
    raw = requested if requested is not None else configured
    if raw is None:
        return WindowMode.BROWSER
    try:
        mode = WindowMode(raw.value if isinstance(raw, WindowMode) else str(raw).lower())
    except ValueError:
        choices = ", ".join(m.value for m in WindowMode)
        raise UnsupportedModeError(f"unknown window mode {raw!r}: use one of {choices}") from None
    if mode is WindowMode.BROWSER:
        return mode
    if mode in _NATIVE and not has_display(environ, platform):
        log.info("no display found: showing widgets in the browser instead of %s", mode.value)
        return WindowMode.BROWSER
    raise UnsupportedModeError(
        f"window mode {mode.value!r} is not available in this pywry: it shows widgets in the "
        "browser. Use PyWry(mode=WindowMode.BROWSER), or set PYWRY_WINDOW__MODE=browser "
        '(or [window] mode = "browser" in pywry.toml)'
    )
