"""The composition root: the one module that chooses and wires the adapters.

Each ``PyWry`` builds its own container, so two apps in one process share nothing. Tests
swap a part with ``app.container.<provider>.override(fake)`` before the first ``show()``.
"""

from __future__ import annotations

import secrets
from pathlib import Path

from dependency_injector import containers, providers

from ..adapters.browser import SystemBrowserLauncher
from ..adapters.granian import GranianRunner
from ..adapters.http.app import create_app
from ..adapters.memory import MemoryEventBus, MemoryWidgetStore
from ..domain.ports import TlsFiles, TlsLoader, TlsMaterial
from ..domain.token import Token
from .bridge import Bridge
from .listeners import CallbackTable
from .loop import LoopThread
from .server import BrowserServer
from .settings import Settings, user_config_dir

__all__ = ["Container"]


def _tls_loader() -> TlsLoader:
    # cryptography is only needed when HTTPS is configured: import it then, not at start.
    from ..adapters.tls import CryptographyTlsLoader

    return CryptographyTlsLoader()


class _LazyTlsLoader(TlsLoader):
    """Builds the real TLS loader on first use."""

    def __init__(self) -> None:
        self._loader: TlsLoader | None = None

    def _get(self) -> TlsLoader:
        if self._loader is None:
            self._loader = _tls_loader()
        return self._loader

    def load(self, files: TlsFiles) -> TlsMaterial:
        return self._get().load(files)

    def self_signed(self, hosts: list[str], directory: Path) -> TlsFiles:
        return self._get().self_signed(hosts, directory)

    def release(self, material: TlsMaterial) -> None:
        if self._loader is not None:
            self._loader.release(material)


def _internal_token(settings: Settings) -> Token:
    configured = settings.server.internal_api_token
    return Token(configured) if configured else Token(secrets.token_urlsafe(32))


class Container(containers.DeclarativeContainer):
    """Providers of one app. Singletons are thread-safe: the script and the server share them."""

    settings = providers.Dependency(instance_of=Settings)
    theme = providers.Object("dark")
    server_settings = providers.Callable(lambda s: s.server, settings)

    loop_thread = providers.ThreadSafeSingleton(LoopThread)
    widget_store = providers.ThreadSafeSingleton(MemoryWidgetStore)
    event_bus = providers.ThreadSafeSingleton(MemoryEventBus)
    callback_table = providers.ThreadSafeSingleton(CallbackTable)
    browser_launcher = providers.ThreadSafeSingleton(
        SystemBrowserLauncher, headless=settings.provided.headless
    )
    tls_loader = providers.ThreadSafeSingleton(_LazyTlsLoader)
    server_runner = providers.ThreadSafeSingleton(
        GranianRunner,
        log_level=settings.provided.server.log_level,
        access_log=settings.provided.server.access_log,
        timeout_keep_alive=settings.provided.server.timeout_keep_alive,
    )
    internal_token = providers.ThreadSafeSingleton(_internal_token, settings)
    bridge = providers.ThreadSafeSingleton(
        Bridge,
        settings=server_settings,
        store=widget_store,
        bus=event_bus,
        callbacks=callback_table,
        loop_thread=loop_thread,
    )
    http_app = providers.Factory(
        create_app,
        bridge=bridge,
        settings=server_settings,
        internal_token=internal_token,
        theme=theme,
        debug=settings.provided.debug,
    )
    cert_dir = providers.Callable(lambda: user_config_dir() / "certs")
    server = providers.ThreadSafeSingleton(
        BrowserServer,
        settings=server_settings,
        runner=server_runner,
        loop_thread=loop_thread,
        tls_loader=tls_loader,
        bus=event_bus,
        bridge=bridge,
        app_factory=http_app.provider,
        cert_dir=cert_dir,
    )
