"""Where each effective setting came from, for ``pywry config``: the value (secrets hidden)
and its layer (a default, ``pyproject.toml``, ``pywry.toml``, the user config file or an
environment variable), found the way :func:`~pywry.app.settings.load_settings` finds them."""

from __future__ import annotations

import enum
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import msgspec

from .settings import Settings, load_settings
from .settings_sources import is_secret, mask, user_config_file

__all__ = ["ConfigFile", "Origin", "Reported", "SettingsReport", "report_settings"]

_HIDDEN = "********"
_ENV = "environment variable "


class Origin(enum.StrEnum):
    """The layer a value came from, lowest first."""

    DEFAULT = "default"
    PYPROJECT = "pyproject.toml"
    PYWRY_TOML = "pywry.toml"
    USER_FILE = "user config file"
    ENVIRONMENT = "environment variable"
    EXPLICIT = "explicit"


@dataclass(frozen=True, slots=True)
class Reported:
    """One setting: its dotted key, its value (a secret hidden), where it came from."""

    key: str
    value: object
    origin: Origin
    where: str  # the file or the variable; "" for a default
    secret: bool


@dataclass(frozen=True, slots=True)
class ConfigFile:
    """A settings file the layers read, and whether it is there."""

    origin: Origin
    path: str
    exists: bool


@dataclass(frozen=True, slots=True)
class SettingsReport:
    settings: list[Reported]
    files: list[ConfigFile]


def report_settings(
    *, cwd: Path | None = None, environ: Mapping[str, str] | None = None
) -> SettingsReport:
    """Every setting's effective value and source; raises ``SettingsError`` as loading does."""
    env = os.environ if environ is None else environ
    here = (Path.cwd() if cwd is None else cwd).absolute()
    sources: dict[str, str] = {}
    settings = load_settings(cwd=here, environ=env, trace=sources)
    files = {
        Origin.PYPROJECT: here / "pyproject.toml",
        Origin.PYWRY_TOML: here / "pywry.toml",
        Origin.USER_FILE: user_config_file(env, cwd=here).absolute(),
    }
    by_source = {str(path): origin for origin, path in files.items()}
    by_source[f"{files[Origin.PYPROJECT]} [tool.pywry]"] = Origin.PYPROJECT
    reported = []
    for key, value in _flatten(settings):
        source = sources.get(key)
        if source is None:
            origin, where = Origin.DEFAULT, ""
        elif source.startswith(_ENV):
            origin, where = Origin.ENVIRONMENT, source.removeprefix(_ENV)
        else:
            origin = by_source.get(source, Origin.EXPLICIT)
            where = str(files[origin]) if origin in files else source
        name = key.rpartition(".")[2]
        secret = is_secret(name) and isinstance(value, str)
        shown = _HIDDEN if secret else mask(name, value)
        reported.append(Reported(key, msgspec.to_builtins(shown), origin, where, secret))
    return SettingsReport(
        settings=reported,
        files=[ConfigFile(origin, str(path), path.is_file()) for origin, path in files.items()],
    )


def _flatten(settings: Settings) -> list[tuple[str, object]]:
    items: list[tuple[str, object]] = []
    for name in settings.__struct_fields__:
        value = getattr(settings, name)
        if isinstance(value, msgspec.Struct):
            items.extend((f"{name}.{key}", getattr(value, key)) for key in value.__struct_fields__)
        else:
            items.append((name, value))
    return items
