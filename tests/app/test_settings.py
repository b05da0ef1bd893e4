"""Settings: every layer, their precedence, lenient env parsing and errors that say where."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pywry.app.settings import (
    DeploySettings,
    ServerSettings,
    Settings,
    WindowSettings,
    load_settings,
    user_config_dir,
    user_config_file,
)
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


# Errors: key, value, source and what is expected


def test_a_non_numeric_port_in_the_environment_names_key_value_and_variable(
    tmp_path: Path,
) -> None:
    message = error_of(tmp_path, {"PYWRY_SERVER__PORT": "abc"})
    assert message == (
        "server.port = 'abc' (from environment variable PYWRY_SERVER__PORT):"
        " expected an integer from 0 to 65535"
    )


def test_an_out_of_range_port_in_pywry_toml_names_the_file(tmp_path: Path) -> None:
    path = write(tmp_path / "pywry.toml", "[server]\nport = 70000\n")
    message = error_of(tmp_path)
    assert message == f"server.port = 70000 (from {path}): expected an integer from 0 to 65535"


def test_a_wrong_toml_type_is_refused(tmp_path: Path) -> None:
    write(tmp_path / "pywry.toml", "[server]\nport = '8765'\nauto_start = 'yes'\n")
    assert "server.port = '8765'" in error_of(tmp_path)


def test_an_unknown_key_in_pywry_toml_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    path = write(tmp_path / "pywry.toml", "[server]\nprot = 1\n")
    message = error_of(tmp_path)
    assert message == f"unknown setting server.prot (from {path}); did you mean port?"


def test_an_unknown_env_key_is_refused_with_a_suggestion(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"PYWRY_SERVER__PROT": "1"})
    assert "unknown setting server.prot" in message
    assert "environment variable PYWRY_SERVER__PROT" in message
    assert "did you mean port?" in message


def test_an_unknown_key_without_a_close_match_lists_the_section_keys(tmp_path: Path) -> None:
    message = error_of(tmp_path, explicit={"window": {"zzz": 1}})
    assert "unknown setting window.zzz (from PyWry(settings=...))" in message
    assert "mode, title, width, height, theme" in message


def test_an_unknown_section_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "pyproject.toml", "[tool.pywry.sever]\nport = 1\n")
    message = error_of(tmp_path)
    assert f"unknown setting sever (from {path} [tool.pywry])" in message
    assert "did you mean server?" in message


def test_a_section_that_is_not_a_table_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path / "pywry.toml", "server = 5\n")
    assert f"server = int (from {path}): expected a table" in error_of(tmp_path)


def test_a_bad_window_mode_lists_the_modes(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"PYWRY_WINDOW__MODE": "brwser"})
    assert message.startswith(
        "window.mode = 'brwser' (from environment variable PYWRY_WINDOW__MODE): expected one of"
        " new_window, single_window, multi_window, notebook, browser"
    )
    assert message.endswith("did you mean browser?")


def test_malformed_toml_names_the_file_and_the_parser_message(tmp_path: Path) -> None:
    path = write(tmp_path / "pywry.toml", "[server\nport = 1\n")
    message = error_of(tmp_path)
    assert str(path) in message
    assert "is not valid TOML" in message
    assert "line 1" in message


def test_a_malformed_user_config_file_is_refused(tmp_path: Path) -> None:
    user = write(tmp_path / "user.toml", "port = = 1\n")
    assert f"settings file {user} is not valid TOML" in error_of(tmp_path, user_config=user)


def test_a_bad_bool_in_the_environment_says_what_is_accepted(tmp_path: Path) -> None:
    message = error_of(tmp_path, {"PYWRY_DEBUG": "maybe"})
    assert (
        message == "debug = 'maybe' (from environment variable PYWRY_DEBUG): expected true or false"
    )


def test_a_bad_explicit_settings_value_names_the_pywry_argument(tmp_path: Path) -> None:
    message = error_of(tmp_path, explicit=Settings(server=ServerSettings(workers=0)))
    assert (
        message
        == "server.workers = 0 (from PyWry(settings=...)): expected an integer of at least 1"
    )


def test_explicit_settings_of_the_wrong_type_are_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, explicit=ServerSettings())
    assert "expected a Settings, got a ServerSettings" in message


@pytest.mark.parametrize(
    ("key", "value", "hint"),
    [
        ("WIDGET_PREFIX", "widget", "did you mean '/widget'?"),
        ("WIDGET_PREFIX", "/widget/", "did you mean '/widget'?"),
        ("WIDGET_PREFIX", "/wid get", "like '/widget'"),
        ("HOST", "http://localhost", "without a scheme"),
        ("INTERNAL_API_HEADER", "X Token", "an HTTP header name"),
        ("SSL", "letsencrypt", "one of self-signed"),
        ("LOG_LEVEL", "verbose", "one of critical, error, warning, info, debug, trace"),
        ("RECONNECT_GRACE", "-1", "a number of at least 0"),
        ("RECONNECT_GRACE", "inf", "a number of at least 0"),
        ("MAX_MESSAGE_SIZE", "100", "an integer from 1024 to 1073741824"),
        ("MAX_MESSAGE_SIZE", str(2 * 1024 * 1024 * 1024), "an integer from 1024 to 1073741824"),
        ("CORS_ORIGINS", '["a", 1]', "a list of strings"),
    ],
)
def test_bad_server_values_are_refused_with_a_hint(
    tmp_path: Path, key: str, value: str, hint: str
) -> None:
    message = error_of(tmp_path, {f"PYWRY_SERVER__{key}": value})
    assert message.startswith(f"server.{key.lower()} = {value!r} (from environment variable")
    assert hint in message


@pytest.mark.parametrize("prefix", ["/disconnect", "/health", "/register_widget/x", "/_pywry"])
def test_a_widget_prefix_under_one_of_pywrys_own_routes_is_refused(
    tmp_path: Path, prefix: str
) -> None:
    # Under /disconnect the pages would get the API's CORS headers: any origin could read
    # their token.
    message = error_of(tmp_path, explicit={"server": {"widget_prefix": prefix}})
    assert f"server.widget_prefix = {prefix!r}" in message
    assert "is taken" in message


def test_a_widget_prefix_that_only_starts_like_a_route_is_fine(tmp_path: Path) -> None:
    loaded = load(tmp_path, explicit={"server": {"widget_prefix": "/disconnected"}})
    assert loaded.server.widget_prefix == "/disconnected"


def test_a_bad_deploy_backend_is_refused(tmp_path: Path) -> None:
    message = error_of(tmp_path, explicit={"deploy": {"state_backend": "postgres"}})
    assert "deploy.state_backend = 'postgres'" in message
    assert "one of memory, redis" in message


# Secrets


def test_the_repr_of_settings_never_shows_a_secret(tmp_path: Path) -> None:
    environ = {
        "PYWRY_SERVER__SSL_KEYFILE_PASSWORD": SECRET,
        "PYWRY_SERVER__INTERNAL_API_TOKEN": SECRET,
        "PYWRY_DEPLOY__REDIS_URL": f"redis://user:{SECRET}@cache:6379/0",
    }
    loaded = load(tmp_path, environ)
    assert loaded.server.ssl_keyfile_password == SECRET
    assert loaded.server.internal_api_token == SECRET
    for text in (repr(loaded), str(loaded), repr(loaded.server), repr(loaded.masked())):
        assert SECRET not in text
    assert "redis://user:********@cache:6379/0" in repr(loaded.deploy)


def test_masked_returns_plain_dicts_with_secrets_hidden() -> None:
    masked = Settings(server=ServerSettings(internal_api_token=SECRET, port=1)).masked()
    assert masked["server"]["internal_api_token"] == "********"
    assert masked["server"]["port"] == 1
    assert masked["server"]["ssl_keyfile_password"] is None
    assert masked["headless"] is False


def test_an_error_about_a_secret_never_shows_its_value(tmp_path: Path) -> None:
    message = error_of(tmp_path, explicit={"server": {"ssl_keyfile_password": [SECRET]}})
    assert "server.ssl_keyfile_password = '********'" in message
    assert SECRET not in message


def test_settings_are_frozen() -> None:
    with pytest.raises(AttributeError):
        Settings().server.port = 1  # type: ignore[misc]


# Properties


@ANY_CWD
@given(port=st.one_of(st.integers(max_value=-1), st.integers(min_value=65536)))
def test_any_port_outside_the_valid_range_is_refused_naming_the_key(
    tmp_path: Path, port: int
) -> None:
    for environ, explicit in (
        ({"PYWRY_SERVER__PORT": str(port)}, None),
        ({}, {"server": {"port": port}}),
    ):
        message = error_of(tmp_path, environ, explicit=explicit)
        assert message.startswith("server.port = ")
        assert "expected an integer from 0 to 65535" in message


@ANY_CWD
@given(port=st.integers(min_value=0, max_value=65535))
def test_any_valid_port_round_trips_through_the_environment(tmp_path: Path, port: int) -> None:
    assert load(tmp_path, {"PYWRY_SERVER__PORT": str(port)}).server.port == port


@pytest.mark.parametrize(
    ("name", "fixed"),
    [("PYWRY_SERVER_PORT", "PYWRY_SERVER__PORT"), ("PYWRY_WINDOW_MODE", "PYWRY_WINDOW__MODE")],
)
def test_a_single_underscore_between_section_and_key_is_refused_with_the_fix(
    tmp_path: Path, name: str, fixed: str
) -> None:
    message = error_of(tmp_path, {name: "9000"})
    assert f"did you mean {fixed}?" in message


def test_a_variable_close_to_a_top_level_one_gets_a_warning_and_others_are_left_alone(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="pywry"):
        settings = load(tmp_path, {"PYWRY_HEADLES": "1", "PYWRY_SOMETHING_ELSE": "x"})
    assert settings.headless is False
    assert "PYWRY_HEADLES sets nothing; did you mean PYWRY_HEADLESS?" in caplog.text
    assert "SOMETHING_ELSE" not in caplog.text


def test_a_named_user_config_file_that_is_missing_is_skipped_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    env = {"PYWRY_CONFIG_FILE": str(tmp_path / "confg.toml")}
    with caplog.at_level("WARNING", logger="pywry"):
        load_settings(cwd=tmp_path, environ=env)
    assert "confg.toml (from environment variable PYWRY_CONFIG_FILE) does not exist" in caplog.text


def test_a_development_certificate_and_certificate_files_are_not_both_accepted(
    tmp_path: Path,
) -> None:
    message = error_of(
        tmp_path, explicit={"server": {"ssl": "self-signed", "ssl_certfile": "/etc/c.pem"}}
    )
    assert "server.ssl = 'self-signed'" in message
    assert "not both" in message


def test_spaces_around_a_string_from_the_environment_are_dropped_but_not_around_secrets(
    tmp_path: Path,
) -> None:
    settings = load(
        tmp_path,
        {
            "PYWRY_SERVER__HOST": " 127.0.0.1 ",
            "PYWRY_SERVER__SSL_KEYFILE_PASSWORD": " pass phrase ",
        },
    )
    assert settings.server.host == "127.0.0.1"
    assert settings.server.ssl_keyfile_password == " pass phrase "


def test_the_old_inline_budget_is_taken_but_said_to_do_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="pywry.settings"):
        loaded = load(tmp_path, {"PYWRY_SERVER__CALLBACK_INLINE_BUDGET": "0.002"})
    assert loaded.server.callback_inline_budget == 0.002
    assert "server.callback_inline_budget (from environment variable" in caplog.text
    assert "has no effect" in caplog.text
    assert "sync_to_thread=False" in caplog.text


def test_without_the_old_inline_budget_nothing_is_said(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="pywry.settings"):
        load(tmp_path)
    assert "callback_inline_budget" not in caplog.text
