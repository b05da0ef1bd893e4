"""The release's questions about where widget state lives, answered from pywry's settings.

While a :class:`~pywry.PyWry` app lives, the answers are its settings' (explicit
``settings=`` included); otherwise those a new app would load (``pywry.toml``,
``pyproject.toml``, the user config file, ``PYWRY_*`` variables).
"""

from __future__ import annotations

import enum

from .app.compat import default_worker_id, last_app
from .app.settings import Settings, load_settings

__all__ = ["StateBackend", "get_state_backend", "get_worker_id", "is_deploy_mode"]


class StateBackend(enum.StrEnum):
    """Where widgets, event logs and page counts live (``[deploy] state_backend``)."""

    MEMORY = "memory"
    REDIS = "redis"


def _settings() -> Settings:
    app = last_app()
    return app.settings if app is not None else load_settings()


def is_deploy_mode() -> bool:
    """Whether widgets are served by a deploy server (``[deploy] enabled``,
    ``PYWRY_DEPLOY_MODE=1`` or a Redis state backend)."""
    return _settings().deploy_mode


def get_state_backend() -> StateBackend:
    """The state backend: ``StateBackend.MEMORY`` or ``StateBackend.REDIS``."""
    return StateBackend(_settings().deploy.state_backend)


def get_worker_id() -> str:
    """This worker's name in the shared state: a live deploy app's own; else
    ``[deploy] worker_id``, else a name this process keeps (host, process id, a random part)."""
    app = last_app()
    if app is not None and app.settings.deploy.state_backend == "redis":
        return str(app.container.relay().worker_id)  # how the other workers know it
    return _settings().deploy.worker_id or default_worker_id()
