"""``pywry config``: the effective settings and their sources, secrets hidden, run as the
real command in a subprocess."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from cli_process import CONSOLE_SCRIPT, cli_env, one_error_line, run_cli

from pywry import __version__

SECRETS = ("s3cret-token-value", "k3y-password", "r3dis-pass")


@pytest.fixture
def layered(tmp_path: Path) -> dict[str, str]:
    """One setting from each layer, and secrets in three of them; the environment to add."""
    (tmp_path / "pyproject.toml").write_text(
        "[tool.pywry.server]\nbacklog = 100\nport = 1111\n[tool.pywry.window]\nwidth = 640\n"
    )
    (tmp_path / "pywry.toml").write_text(
        '[server]\nport = 2222\nhost = "0.0.0.0"\nssl_keyfile_password = "k3y-password"\n'
        "[window]\nwidth = 700\n"
    )
    user = tmp_path / "user.toml"
    user.write_text(
        '[window]\ntitle = "Mine"\nwidth = 720\n'
        '[deploy]\nredis_url = "redis://:r3dis-pass@cache:6379/0"\n'
    )
    return {
        "PYWRY_CONFIG_FILE": str(user),
        "PYWRY_SERVER__PORT": "3333",
        "PYWRY_SERVER__INTERNAL_API_TOKEN": "s3cret-token-value",
    }


def test_json_names_each_settings_value_and_source(tmp_path, layered):
    done = run_cli(tmp_path, "config", "--json", **layered)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    settings = report["settings"]

    def source(key: str) -> tuple[object, str, str | None]:
        item = settings[key]
        return item["value"], item["source"], item["from"]

    assert source("server.port") == (3333, "environment variable", "PYWRY_SERVER__PORT")
    assert source("server.host") == ("0.0.0.0", "pywry.toml", str(tmp_path / "pywry.toml"))
    assert source("server.backlog") == (100, "pyproject.toml", str(tmp_path / "pyproject.toml"))
    assert source("window.title") == ("Mine", "user config file", layered["PYWRY_CONFIG_FILE"])
    assert source("window.width") == (720, "user config file", layered["PYWRY_CONFIG_FILE"])
    assert source("server.widget_prefix") == ("/widget", "default", None)
    assert source("headless") == (False, "default", None)
    assert source("server.internal_api_token")[0] == "********"
    assert settings["server.internal_api_token"]["secret"] is True
    assert source("server.ssl_keyfile_password")[:2] == ("********", "pywry.toml")
    assert source("deploy.redis_url")[0] == "redis://:********@cache:6379/0"
    assert settings["server.websocket_require_token"]["value"] is True  # a flag, not a secret
    assert report["files"] == [
        {"source": "pyproject.toml", "path": str(tmp_path / "pyproject.toml"), "exists": True},
        {"source": "pywry.toml", "path": str(tmp_path / "pywry.toml"), "exists": True},
        {"source": "user config file", "path": layered["PYWRY_CONFIG_FILE"], "exists": True},
    ]
    for secret in SECRETS:
        assert secret not in done.stdout


def test_text_lists_the_sections_and_sources_and_hides_secrets(tmp_path, layered):
    done = run_cli(tmp_path, "config", **layered)
    assert done.returncode == 0, done.stderr
    lines = [line.rstrip() for line in done.stdout.splitlines()]
    assert lines[0] == "files (a later one wins):"
    assert "[server]" in lines
    assert "[window]" in lines

    def line_of(setting: str) -> str:
        return next(line for line in lines if line.startswith(setting + " = "))

    assert line_of("port").split("#")[0].strip() == "port = 3333"
    assert line_of("port").endswith("# environment variable PYWRY_SERVER__PORT")
    assert line_of("host").endswith(f"# pywry.toml {tmp_path / 'pywry.toml'}")
    assert line_of("internal_api_token").startswith('internal_api_token = "********"')
    assert line_of("widget_prefix").endswith("# default")
    for secret in SECRETS:
        assert secret not in done.stdout


def test_without_any_file_everything_is_a_default(tmp_path):
    done = run_cli(tmp_path, "config", "--json")
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert {item["source"] for item in report["settings"].values()} == {"default"}
    assert report["settings"]["server.port"]["value"] == 8765
    assert [f["exists"] for f in report["files"]] == [False, False, False]


def test_a_bad_setting_is_one_line_naming_its_source_with_exit_code_1(tmp_path):
    (tmp_path / "pywry.toml").write_text("[server]\nport = 'high'\n")
    done = run_cli(tmp_path, "config")
    assert done.returncode == 1
    line = one_error_line(done, "config")
    assert "server.port = 'high'" in line
    assert str(tmp_path / "pywry.toml") in line


def test_a_bad_secret_is_reported_without_its_value(tmp_path):
    (tmp_path / "pywry.toml").write_text("[server]\ninternal_api_token = 987654321\n")
    done = run_cli(tmp_path, "config")
    assert done.returncode == 1
    line = one_error_line(done, "config")
    assert "server.internal_api_token = '********'" in line
    assert "987654321" not in done.stderr


def test_version_from_the_module_and_the_console_script(tmp_path):
    done = run_cli(tmp_path, "--version")
    assert (done.returncode, done.stdout) == (0, f"pywry {__version__}\n")
    if not CONSOLE_SCRIPT.exists():
        pytest.skip(f"no console script at {CONSOLE_SCRIPT}")
    script = subprocess.run(
        [str(CONSOLE_SCRIPT), "--version"],
        env=cli_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert (script.returncode, script.stdout) == (0, f"pywry {__version__}\n")


def test_config_help_and_an_unknown_option(tmp_path):
    done = run_cli(tmp_path, "config", "--help")
    assert done.returncode == 0
    assert "--json" in done.stdout
    assert "********" in done.stdout
    done = run_cli(tmp_path, "config", "--yaml")
    assert done.returncode == 2
    assert "unrecognized arguments: --yaml" in done.stderr
