"""Where each setting came from (``report_settings``), and which settings count as secret."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywry.app.settings_report import Origin, report_settings
from pywry.app.settings_sources import is_secret, mask


@pytest.mark.parametrize(
    ("key", "secret"),
    [
        ("internal_api_token", True),
        ("ssl_keyfile_password", True),
        ("api_key", True),
        ("apikey", True),
        ("client_secret", True),
        ("proxy_credentials", True),
        ("host", False),
        ("internal_api_header", False),
        ("redis_url", False),
    ],
)
def test_settings_named_like_secrets_are_secret(key, secret):
    assert is_secret(key) is secret


def test_text_under_a_secret_name_is_hidden_but_a_flag_is_shown():
    assert mask("api_key", "abc") == "********"
    assert mask("websocket_require_token", True) is True
    assert mask("redis_url", "redis://u:pw@h/0") == "redis://u:********@h/0"
    assert mask("api_key", None) is None


def test_the_report_follows_the_layers_and_the_explicit_trace(tmp_path: Path):
    (tmp_path / "pywry.toml").write_text("[server]\nport = 1234\n[theme]\nmode = 'light'\n")
    user = tmp_path / "me.toml"
    user.write_text("debug = true\n")
    env = {"PYWRY_CONFIG_FILE": str(user), "PYWRY_HEADLESS": "1"}
    report = report_settings(cwd=tmp_path, environ=env)
    by_key = {item.key: item for item in report.settings}
    assert (by_key["server.port"].value, by_key["server.port"].origin) == (1234, Origin.PYWRY_TOML)
    # The release's theme.mode sets window.theme, and says where from.
    assert (by_key["window.theme"].value, by_key["window.theme"].origin) == (
        "light",
        Origin.PYWRY_TOML,
    )
    assert (by_key["debug"].origin, by_key["debug"].where) == (Origin.USER_FILE, str(user))
    assert (by_key["headless"].origin, by_key["headless"].where) == (
        Origin.ENVIRONMENT,
        "PYWRY_HEADLESS",
    )
    assert by_key["server.host"].origin is Origin.DEFAULT
    assert [f.exists for f in report.files] == [False, True, True]
