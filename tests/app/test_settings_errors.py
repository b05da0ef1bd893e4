"""Settings refused: every bad value, key, section or file is an error naming it and what
to do instead; secrets never reach a repr, a log or an error."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywry.app.settings import ServerSettings, Settings, load_settings
from settings_kit import ANY_CWD, SECRET, error_of, load, write

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
