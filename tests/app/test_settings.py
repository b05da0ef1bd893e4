"""Settings: each layer (defaults, pyproject.toml, pywry.toml, the user config file, PYWRY_*
variables, explicit arguments) overrides only what it sets; values from the environment
are parsed by their type."""

from __future__ import annotations

from pathlib import Path

import pytest

from pywry.app.settings import (
    DeploySettings,
    ServerSettings,
    Settings,
    WindowSettings,
    load_settings,
    user_config_dir,
    user_config_file,
)
from settings_kit import load, write

# Layers and precedence


def test_with_no_layer_set_the_defaults_are_used(tmp_path: Path) -> None:
    loaded = load(tmp_path)
    assert loaded == Settings()
    assert loaded.server.port == 8765
    assert loaded.server.cors_allow_credentials is False
    assert loaded.window.mode is None
    assert loaded.deploy.state_backend == "memory"


def test_pyproject_tool_pywry_tables_are_read(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[project]\nname = "demo"\n\n[tool.pywry]\nheadless = true\n\n'
        "[tool.pywry.server]\nport = 9001\n\n[tool.pywry.deploy]\nwidget_ttl = 60\n",
    )
    loaded = load(tmp_path)
    assert (loaded.headless, loaded.server.port, loaded.deploy.widget_ttl) == (True, 9001, 60)


def test_a_pyproject_without_a_pywry_table_is_ignored(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[project]\nname = "demo"\n[tool.ruff]\nline-length = 1\n')
    assert load(tmp_path) == Settings()


def test_pywry_toml_wins_over_pyproject_key_by_key(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.pywry.server]\nhost = "0.0.0.0"\nport = 9001\n')
    write(tmp_path / "pywry.toml", "debug = true\n[server]\nport = 9002\n[window]\ntitle = 'T'\n")
    loaded = load(tmp_path)
    assert loaded.server.host == "0.0.0.0"
    assert loaded.server.port == 9002
    assert loaded.window.title == "T"
    assert loaded.debug is True


def test_each_layer_overrides_only_the_keys_it_sets(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.pywry.server]\nport = 1001\nworkers = 2\n")
    write(tmp_path / "pywry.toml", "[server]\nport = 1002\nbacklog = 3\n")
    user = write(tmp_path / "user.toml", "[server]\nport = 1003\ncallback_workers = 4\n")
    environ = {"PYWRY_SERVER__PORT": "1004", "PYWRY_SERVER__MAX_PAGES_PER_WIDGET": "5"}
    explicit = {"server": {"port": 1005, "max_inbound_rate": 6}}

    server = load(tmp_path, environ, explicit=explicit, user_config=user).server

    assert server.port == 1005
    assert (server.workers, server.backlog, server.callback_workers) == (2, 3, 4)
    assert (server.max_pages_per_widget, server.max_inbound_rate) == (5, 6)


def test_the_environment_wins_over_the_user_config_file(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", "headless = true\n[window]\nmode = 'notebook'\n")
    loaded = load(tmp_path, {"PYWRY_WINDOW__MODE": "browser"}, user_config=user)
    assert loaded.window.mode == "browser"
    assert loaded.headless is True


def test_an_explicit_settings_object_sets_only_fields_that_differ_from_defaults(
    tmp_path: Path,
) -> None:
    environ = {"PYWRY_SERVER__HOST": "0.0.0.0", "PYWRY_SERVER__PORT": "9000"}
    explicit = Settings(server=ServerSettings(port=0), window=WindowSettings(theme="light"))
    loaded = load(tmp_path, environ, explicit=explicit)
    assert loaded.server.host == "0.0.0.0"
    assert loaded.server.port == 0
    assert loaded.window.theme == "light"


def test_an_explicit_dict_is_read_as_nested_sections(tmp_path: Path) -> None:
    loaded = load(
        tmp_path,
        {"PYWRY_SERVER__HOST": "0.0.0.0"},
        explicit={"server": {"port": 0}, "deploy": DeploySettings(worker_id="w1"), "debug": True},
    )
    assert (loaded.server.host, loaded.server.port) == ("0.0.0.0", 0)
    assert loaded.deploy.worker_id == "w1"
    assert loaded.debug is True


def test_an_explicit_path_is_accepted_for_a_file_setting(tmp_path: Path) -> None:
    loaded = load(tmp_path, explicit={"server": {"ssl_certfile": tmp_path / "cert.pem"}})
    assert loaded.server.ssl_certfile == str(tmp_path / "cert.pem")


# Where the user config file is


def test_the_user_config_argument_is_read(tmp_path: Path) -> None:
    user = write(tmp_path / "elsewhere" / "mine.toml", "[server]\nport = 4242\n")
    assert load(tmp_path, user_config=user).server.port == 4242


def test_pywry_config_file_names_the_user_config_relative_to_cwd(tmp_path: Path) -> None:
    write(tmp_path / "conf" / "pywry.toml", "[server]\nport = 4243\n")
    environ = {"PYWRY_CONFIG_FILE": "conf/pywry.toml", "HOME": str(tmp_path / "home")}
    assert load_settings(cwd=tmp_path, environ=environ).server.port == 4243
    assert user_config_file(environ, cwd=tmp_path) == tmp_path / "conf" / "pywry.toml"


def test_xdg_config_home_holds_the_user_config(tmp_path: Path) -> None:
    write(tmp_path / "xdg" / "pywry" / "config.toml", "[server]\nport = 4244\n")
    environ = {"XDG_CONFIG_HOME": str(tmp_path / "xdg"), "HOME": str(tmp_path / "home")}
    assert load_settings(cwd=tmp_path, environ=environ).server.port == 4244
    assert user_config_dir(environ) == tmp_path / "xdg" / "pywry"


def test_without_xdg_the_user_config_is_under_home_dot_config(tmp_path: Path) -> None:
    write(tmp_path / "home" / ".config" / "pywry" / "config.toml", "[server]\nport = 4245\n")
    environ = {"HOME": str(tmp_path / "home")}
    assert load_settings(cwd=tmp_path, environ=environ).server.port == 4245
    assert user_config_dir(environ) == tmp_path / "home" / ".config" / "pywry"
    assert user_config_file(environ) == tmp_path / "home" / ".config" / "pywry" / "config.toml"


def test_a_relative_xdg_config_home_is_ignored(tmp_path: Path) -> None:
    environ = {"XDG_CONFIG_HOME": "relative/dir", "HOME": str(tmp_path)}
    assert user_config_dir(environ) == tmp_path / ".config" / "pywry"


def test_a_missing_user_config_file_is_skipped(tmp_path: Path) -> None:
    environ = {"PYWRY_CONFIG_FILE": str(tmp_path / "absent.toml"), "HOME": str(tmp_path)}
    assert load_settings(cwd=tmp_path, environ=environ) == Settings()


# Environment parsing


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", True),
        ("true", True),
        ("TRUE", True),
        ("yes", True),
        ("On", True),
        ("0", False),
        ("false", False),
        ("No", False),
        (" off ", False),
    ],
)
def test_env_booleans_accept_the_usual_words(tmp_path: Path, text: str, expected: bool) -> None:
    loaded = load(tmp_path, {"PYWRY_HEADLESS": text, "PYWRY_SERVER__ACCESS_LOG": text})
    assert loaded.headless is expected
    assert loaded.server.access_log is expected


def test_env_numbers_are_parsed(tmp_path: Path) -> None:
    environ = {
        "PYWRY_SERVER__PORT": " 8080 ",
        "PYWRY_SERVER__RECONNECT_GRACE": "2.5",
        "PYWRY_SERVER__TIMEOUT_GRACEFUL_SHUTDOWN": "3",
        "PYWRY_DEPLOY__REDIS_POOL_SIZE": "20",
    }
    loaded = load(tmp_path, environ)
    assert loaded.server.port == 8080
    assert loaded.server.reconnect_grace == 2.5
    assert loaded.server.timeout_graceful_shutdown == 3.0
    assert loaded.deploy.redis_pool_size == 20


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('["https://a.example", "https://b.example"]', ["https://a.example", "https://b.example"]),
        ("https://a.example, https://b.example", ["https://a.example", "https://b.example"]),
        ("https://a.example", ["https://a.example"]),
        ("", []),
        ("[]", []),
    ],
)
def test_env_lists_accept_json_or_commas(tmp_path: Path, text: str, expected: list[str]) -> None:
    loaded = load(tmp_path, {"PYWRY_SERVER__WEBSOCKET_ALLOWED_ORIGINS": text})
    assert loaded.server.websocket_allowed_origins == expected


@pytest.mark.parametrize("text", ["", "none", "NULL", "None"])
def test_env_optional_settings_accept_an_empty_or_none_value(tmp_path: Path, text: str) -> None:
    user = write(
        tmp_path / "user.toml", "[server]\nlimit_concurrency = 10\n[window]\nmode = 'browser'"
    )
    environ = {"PYWRY_SERVER__LIMIT_CONCURRENCY": text, "PYWRY_WINDOW__MODE": text}
    loaded = load(tmp_path, environ, user_config=user)
    assert loaded.server.limit_concurrency is None
    assert loaded.window.mode is None


def test_env_strings_and_optional_strings_are_kept(tmp_path: Path) -> None:
    environ = {
        "PYWRY_DEPLOY__REDIS_URL": "redis://cache:6379/1",
        "PYWRY_DEPLOY__WORKER_ID": "worker-7",
        "PYWRY_WINDOW__TITLE": "My chart",
    }
    loaded = load(tmp_path, environ)
    assert loaded.deploy.redis_url == "redis://cache:6379/1"
    assert loaded.deploy.worker_id == "worker-7"
    assert loaded.window.title == "My chart"


def test_choices_are_case_insensitive_and_stored_lower_case(tmp_path: Path) -> None:
    environ = {
        "PYWRY_SERVER__LOG_LEVEL": "DEBUG",
        "PYWRY_WINDOW__MODE": "Browser",
        "PYWRY_WINDOW__THEME": "LIGHT",
        "PYWRY_SERVER__SSL": "Self-Signed",
    }
    loaded = load(tmp_path, environ)
    assert loaded.server.log_level == "debug"
    assert loaded.window.mode == "browser"
    assert loaded.window.theme == "light"
    assert loaded.server.ssl == "self-signed"


def test_pywry_variables_without_a_section_are_ignored(tmp_path: Path) -> None:
    environ = {"PYWRY_SOMETHING": "x", "PYWRY_TEST_CHROMIUM": "/bin/x", "OTHER__PORT": "1"}
    assert load(tmp_path, environ) == Settings()
