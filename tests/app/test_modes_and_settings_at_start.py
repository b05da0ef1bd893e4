"""PyWry() picks its mode and settings the documented way, and fails early on bad ones."""

from __future__ import annotations

import pytest

from pywry import PyWry, SettingsError, UnsupportedModeError, WindowMode
from pywry.app.modes import resolve_mode
from pywry.testing import FakeBrowserLauncher, FakeServerRunner


def test_without_a_mode_pywry_runs_in_browser_mode():
    assert PyWry().mode is WindowMode.BROWSER


def test_the_mode_variable_selects_browser_mode(monkeypatch):
    monkeypatch.setenv("PYWRY_WINDOW__MODE", "browser")
    assert PyWry().mode is WindowMode.BROWSER


def test_the_config_file_selects_the_mode(tmp_path):
    (tmp_path / "pywry.toml").write_text('[window]\nmode = "browser"\n')
    assert PyWry().mode is WindowMode.BROWSER


def test_a_native_mode_without_a_display_falls_back_to_the_browser(caplog):
    caplog.set_level("INFO", logger="pywry")
    mode = resolve_mode(WindowMode.NEW_WINDOW, None, environ={}, platform="linux")
    assert mode is WindowMode.BROWSER
    assert "no display" in caplog.text


def test_a_native_mode_with_a_display_is_refused_naming_browser_mode():
    with pytest.raises(UnsupportedModeError, match=r"WindowMode\.BROWSER"):
        resolve_mode("new_window", None, environ={"DISPLAY": ":0"}, platform="linux")
    with pytest.raises(UnsupportedModeError, match="browser"):
        resolve_mode(WindowMode.NOTEBOOK, None, environ={}, platform="linux")


def test_an_unknown_mode_lists_the_choices():
    with pytest.raises(UnsupportedModeError, match="browser"):
        PyWry(mode="fullscreen")


@pytest.mark.parametrize(
    ("value", "expected"),
    [("abc", "expected an integer"), ("70000", "0 to 65535")],
)
def test_a_bad_port_fails_at_pywry_naming_key_value_and_source(monkeypatch, value, expected):
    monkeypatch.setenv("PYWRY_SERVER__PORT", value)
    with pytest.raises(SettingsError) as error:
        PyWry()
    message = str(error.value)
    assert "server.port" in message
    assert value in message
    assert "PYWRY_SERVER__PORT" in message
    assert expected in message


def test_an_unknown_key_in_pywry_toml_names_the_file(tmp_path):
    (tmp_path / "pywry.toml").write_text("[server]\nprot = 9000\n")
    with pytest.raises(SettingsError, match=r"pywry\.toml") as error:
        PyWry()
    assert "port" in str(error.value)


def test_the_seed_host_and_port_variables_shape_the_url(monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__PORT", "9000")
    monkeypatch.setenv("PYWRY_SERVER__WIDGET_PREFIX", "/w")
    app = PyWry(mode=WindowMode.BROWSER)
    runner = FakeServerRunner()
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(runner)
    try:
        handle = app.show("<p/>", label="chart")
        assert runner.bind is not None
        assert (runner.bind.host, runner.bind.port) == ("127.0.0.1", 9000)
        assert handle.url == "http://fake-server.invalid:9000/w/chart"
    finally:
        app.destroy()


def test_explicit_settings_beat_the_environment(monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__PORT", "9000")
    app = PyWry(settings={"server": {"port": 9100}})
    assert app.settings.server.port == 9100


def test_without_auto_start_show_only_registers(monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__AUTO_START", "false")
    app = PyWry(mode=WindowMode.BROWSER)
    launcher, runner = FakeBrowserLauncher(), FakeServerRunner()
    app.container.browser_launcher.override(launcher)
    app.container.server_runner.override(runner)
    try:
        app.show("<p/>", label="later")
        assert (runner.starts, launcher.opened) == (0, [])
        assert app.start().endswith(":8765")
        assert runner.starts == 1
    finally:
        app.destroy()


def test_a_destroyed_app_refuses_new_widgets():
    app = PyWry(mode=WindowMode.BROWSER)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    app.show("<p/>", label="x")
    app.destroy()
    with pytest.raises(Exception, match="destroyed"):
        app.show("<p/>", label="y")
