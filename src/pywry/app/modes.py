"""How widgets are shown: window modes (and which one a script gets here) and themes."""

from __future__ import annotations

import enum
import logging
import os
import sys
from collections.abc import Mapping

from ..domain.errors import InvalidArgumentError, UnsupportedModeError

__all__ = ["THEMES", "ThemeMode", "WindowMode", "check_theme", "has_display", "resolve_mode"]

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
