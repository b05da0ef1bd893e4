"""``pywry.state`` answers the release's questions from pywry's own settings."""

from __future__ import annotations

import pytest

from pywry import PyWry
from pywry.app.compat import default_worker_id
from pywry.state import StateBackend, get_state_backend, get_worker_id, is_deploy_mode


def test_by_default_browser_mode_in_memory_under_this_process_name():
    assert is_deploy_mode() is False
    assert get_state_backend() is StateBackend.MEMORY
    assert get_state_backend().value == "memory"
    assert get_worker_id() == get_worker_id() == default_worker_id()
    assert str(__import__("os").getpid()) in get_worker_id()


@pytest.mark.parametrize(
    ("variable", "value", "deploy", "backend"),
    [
        ("PYWRY_DEPLOY_MODE", "1", True, StateBackend.MEMORY),
        ("PYWRY_DEPLOY__ENABLED", "true", True, StateBackend.MEMORY),
        ("PYWRY_DEPLOY__STATE_BACKEND", "redis", True, StateBackend.REDIS),
        ("PYWRY_DEPLOY__STATE_BACKEND", "memory", False, StateBackend.MEMORY),
    ],
)
def test_the_environment_is_read_as_pywry_reads_it(monkeypatch, variable, value, deploy, backend):
    monkeypatch.setenv(variable, value)
    assert is_deploy_mode() is deploy
    assert get_state_backend() is backend


def test_pywry_toml_is_read_too(tmp_path):
    (tmp_path / "pywry.toml").write_text('[deploy]\nenabled = true\nworker_id = "web-1"\n')
    assert is_deploy_mode() is True
    assert get_worker_id() == "web-1"


def test_a_live_app_answers_with_its_own_settings_until_destroyed():
    app = PyWry(settings={"deploy": {"worker_id": "mine", "enabled": True}})
    assert get_worker_id() == "mine"
    assert is_deploy_mode() is True
    app.destroy()
    assert get_worker_id() == default_worker_id()
    assert is_deploy_mode() is False


def test_a_redis_deploy_worker_is_named_as_pywry_state_says(redis_url, redis_prefix):
    app = PyWry(
        settings={
            "deploy": {
                "state_backend": "redis",
                "redis_url": redis_url,
                "redis_prefix": redis_prefix,
            }
        }
    )
    try:
        assert get_state_backend() is StateBackend.REDIS
        assert get_worker_id() == app.container.relay().worker_id
    finally:
        app.destroy()
