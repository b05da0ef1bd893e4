"""Loading settings in a directory of the test's own, for the settings tests."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, settings

from pywry.app.settings import Settings, load_settings
from pywry.domain.errors import SettingsError

SECRET = "hunter2-not-for-logs"


ANY_CWD = settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)


def load(
    cwd: Path,
    environ: dict[str, str] | None = None,
    *,
    explicit: Settings | dict[str, Any] | None = None,
    user_config: Path | None = None,
) -> Settings:
    """Load with nothing from the real machine: an explicit cwd, env and user config file."""
    return load_settings(
        explicit=explicit,
        cwd=cwd,
        environ=environ or {},
        user_config=user_config or cwd / "no-user-config.toml",
    )


def error_of(cwd: Path, environ: dict[str, str] | None = None, **kwargs: Any) -> str:
    with pytest.raises(SettingsError) as caught:
        load(cwd, environ, **kwargs)
    assert not isinstance(caught.value, msgspec.MsgspecError)
    return str(caught.value)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
