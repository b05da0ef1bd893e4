"""The release's settings sections and keys load from the environment, ``pywry.toml`` and
``[tool.pywry]``: log level and theme mode take effect, the others warn once per reason."""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

from pywry import (
    PyWry,
    PyWryCompatibilityWarning,
    PyWrySettings,
    SecuritySettings,
    SettingsError,
    WindowSettings,
)
from pywry.app.settings import load_settings

# The release's configuration guide's sample file, as a user would copy it.
RELEASE_SAMPLE = """
[theme]
# css_file = "/path/to/custom.css"

[window]
title = "My Application"
width = 1280
height = 720
center = true
resizable = true
devtools = false
on_window_close = "hide"

[timeout]
startup = 10.0
response = 5.0
create_window = 5.0
set_content = 5.0
shutdown = 2.0

[hot_reload]
enabled = true
debounce_ms = 100
css_reload = "inject"
preserve_scroll = true
watch_directories = ["./src", "./styles"]

[csp]
default_src = "'self' 'unsafe-inline' 'unsafe-eval' data: blob:"
connect_src = "'self' http://*:* https://*:* ws://*:* wss://*:*"

[asset]
plotly_version = "3.3.1"
aggrid_version = "35.0.0"

[log]
level = "WARNING"
format = "%(name)s - %(levelname)s - %(message)s"

[server]
host = "127.0.0.1"
port = 8765
auto_start = true
websocket_require_token = true

[deploy]
state_backend = "memory"
redis_url = "redis://localhost:6379/0"
"""


@pytest.fixture(autouse=True)
def _pywry_logger_restored() -> Iterator[None]:
    """[log] settings change the process's "pywry" logger: give it back as it was."""
    logger = logging.getLogger("pywry")
    level, handlers, propagate = logger.level, list(logger.handlers), logger.propagate
    yield
    logger.setLevel(level)
    logger.handlers[:] = handlers
    logger.propagate = propagate


def load(tmp_path: Path, env: dict[str, str] | None = None, **kwargs):
    return load_settings(
        cwd=tmp_path, environ={"PYWRY_CONFIG_FILE": os.devnull, **(env or {})}, **kwargs
    )


def messages(caught) -> list[str]:
    return [str(w.message) for w in caught if w.category is PyWryCompatibilityWarning]


def test_the_release_sample_pywry_toml_loads_with_one_warning_per_reason(tmp_path):
    (tmp_path / "pywry.toml").write_text(RELEASE_SAMPLE)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        settings = load(tmp_path)
    said = messages(caught)
    assert len(said) == 5  # native window, timeouts, hot reload, CSP, libraries
    native = next(m for m in said if "window.center" in m)
    for key in ("window.resizable", "window.devtools", "window.on_window_close"):
        assert key in native
    assert f"(from {tmp_path / 'pywry.toml'})" in native
    assert "browser tab" in native
    assert any("hot_reload.enabled" in m and "handle.update(html)" in m for m in said)
    assert any("csp.default_src" in m and "build_csp()" in m for m in said)
    assert settings.window.title == "My Application"
    assert settings.window.width == 1280
    assert settings.log.level == "warning"


@pytest.mark.parametrize(
    ("variable", "key"),
    [
        ("PYWRY_HOT_RELOAD__ENABLED", "hot_reload.enabled"),
        ("PYWRY_SERVER__RELOAD", "server.reload"),
        ("PYWRY_WINDOW__CENTER", "window.center"),
        ("PYWRY_DEPLOY__AUTH_ENABLED", "deploy.auth_enabled"),
        ("PYWRY_THEME__CSS_FILE", "theme.css_file"),
        ("PYWRY_TAURI_PLUGINS", "tauri_plugins"),
    ],
)
def test_each_release_variable_warns_naming_it_and_where_it_came_from(tmp_path, variable, key):
    with pytest.warns(PyWryCompatibilityWarning) as caught:
        load(tmp_path, {variable: "true"})
    (message,) = messages(caught)
    assert f"{key} (from environment variable {variable}) has no effect in pywry" in message


def test_pywry_fails_on_none_of_the_release_variables_and_tables(tmp_path, monkeypatch):
    (tmp_path / "pyproject.toml").write_text('[tool.pywry.log]\nlevel = "DEBUG"\n')
    (tmp_path / "pywry.toml").write_text("[window]\ncenter = true\n")
    for name, value in {
        "PYWRY_LOG__LEVEL": "DEBUG",
        "PYWRY_THEME__MODE": "light",
        "PYWRY_HOT_RELOAD__ENABLED": "true",
        "PYWRY_SERVER__RELOAD": "true",
    }.items():
        monkeypatch.setenv(name, value)
    with pytest.warns(PyWryCompatibilityWarning):
        app = PyWry()
    assert app.theme == "light"
    assert app.settings.log.level == "debug"


def test_log_level_takes_effect_from_each_layer(tmp_path, monkeypatch):
    logger = logging.getLogger("pywry")
    (tmp_path / "pyproject.toml").write_text('[tool.pywry.log]\nlevel = "ERROR"\n')
    PyWry()
    assert logger.level == logging.ERROR
    (tmp_path / "pywry.toml").write_text('[log]\nlevel = "info"\n')
    PyWry()  # pywry.toml is above pyproject.toml
    assert logger.level == logging.INFO
    monkeypatch.setenv("PYWRY_LOG__LEVEL", "DEBUG")
    PyWry()
    assert logger.level == logging.DEBUG
    PyWry(settings={"log": {"level": "critical"}})
    assert logger.level == logging.CRITICAL


def test_log_format_gives_pywry_a_handler_of_its_own_once(tmp_path):
    logger = logging.getLogger("pywry")
    PyWry(settings={"log": {"format": "%(levelname)s|%(message)s"}})
    PyWry(settings={"log": {"format": "%(levelname)s|%(message)s"}})
    ours = [h for h in logger.handlers if h.get_name() == "pywry.settings.log.format"]
    assert len(ours) == 1
    assert ours[0].formatter is not None
    assert ours[0].formatter.format(logging.makeLogRecord({"msg": "m", "levelname": "X"})) == (
        "X|m"
    )


def test_a_bad_log_level_names_the_key_and_what_fits(tmp_path):
    with pytest.raises(SettingsError, match=r"log.level = 'loud'.*one of debug, info"):
        load(tmp_path, {"PYWRY_LOG__LEVEL": "loud"})


def test_theme_mode_sets_the_window_theme_layer_by_layer(tmp_path):
    (tmp_path / "pywry.toml").write_text('[theme]\nmode = "light"\n')
    assert load(tmp_path).window.theme == "light"
    assert load(tmp_path, {"PYWRY_THEME__MODE": "system"}).window.theme == "system"
    # A higher layer's window.theme wins over a lower layer's theme.mode, and back.
    assert load(tmp_path, {"PYWRY_WINDOW__THEME": "dark"}).window.theme == "dark"
    explicit = load(
        tmp_path, {"PYWRY_WINDOW__THEME": "dark"}, explicit={"theme": {"mode": "light"}}
    )
    assert explicit.window.theme == "light"
    assert PyWry(settings={"theme": {"mode": "light"}}).theme == "light"


def test_release_settings_in_pyproject_load_and_warn(tmp_path):
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pywry.hot_reload]\nenabled = true\n[tool.pywry.deploy]\nsession_ttl = 60\n"
    )
    with pytest.warns(PyWryCompatibilityWarning) as caught:
        load(tmp_path)
    said = " ".join(messages(caught))
    assert f"hot_reload.enabled (from {tmp_path / 'pyproject.toml'} [tool.pywry])" in said
    assert "deploy.session_ttl" in said
    assert "own token" in said


@pytest.mark.parametrize(
    ("settings", "closest"),
    [
        ({"window": {"centre": True}}, "window.centre .*did you mean center\\?"),
        ({"hot_reload": {"enabeld": True}}, "hot_reload.enabeld .*did you mean enabled\\?"),
        ({"hotreload": {"enabled": True}}, "hotreload .*did you mean hot_reload\\?"),
        ({"server": {"prot": 1}}, "server.prot .*did you mean port\\?"),
        ({"logg": {"level": "debug"}}, "did you mean log\\?"),
    ],
)
def test_a_typo_stays_an_error_naming_the_closest_valid_name(tmp_path, settings, closest):
    with pytest.raises(SettingsError, match=closest):
        load(tmp_path, explicit=settings)


def test_an_unknown_key_of_a_release_section_lists_its_keys(tmp_path):
    with pytest.raises(SettingsError, match="the timeout settings are startup, response"):
        load(tmp_path, explicit={"timeout": {"zzz": 1}})


def test_pywry_settings_is_the_release_spelling_of_the_settings_mapping(tmp_path):
    settings = PyWrySettings(
        window=WindowSettings(title="My App", width=1920, height=1080), log={"level": "INFO"}
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app = PyWry(settings=settings)
    assert (app.title, app.width, app.height) == ("My App", 1920, 1080)
    assert app.settings.log.level == "info"


def test_security_presets_map_to_a_warning_and_a_policy_for_the_page(tmp_path):
    assert SecuritySettings.permissive() == SecuritySettings()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        load(tmp_path, explicit=PyWrySettings(csp=SecuritySettings.permissive()))
    with pytest.warns(PyWryCompatibilityWarning, match="csp.script_src.*Content-Security-Policy"):
        load(tmp_path, explicit=PyWrySettings(csp=SecuritySettings.strict()))
    strict = SecuritySettings.strict().build_csp()
    assert "unsafe-eval" not in strict
    assert strict.startswith("default-src 'self'")
    assert "unsafe-eval" in SecuritySettings.permissive().build_csp()
    local = SecuritySettings.localhost(ports=[8000, 8080]).connect_src
    assert "ws://127.0.0.1:8080" in local
    assert "http://localhost:8000" in local
    assert "localhost:*" in SecuritySettings.localhost().connect_src


def test_the_warning_points_at_the_scripts_line(tmp_path, monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__RELOAD", "1")
    with pytest.warns(PyWryCompatibilityWarning) as caught:
        PyWry()
    assert caught[0].filename == __file__
