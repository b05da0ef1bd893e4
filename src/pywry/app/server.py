"""The browser-mode server's lifecycle: start once on first need, stop cleanly, free the port."""

from __future__ import annotations

import enum
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path

from ..domain.errors import IllegalTransitionError
from ..domain.ports import (
    Bind,
    BoundAddress,
    EventBus,
    ServerRunner,
    TlsFiles,
    TlsLoader,
    TlsMaterial,
)
from .bridge import Bridge
from .loop import LoopThread
from .settings import ServerSettings

__all__ = ["BrowserServer", "ServerState", "public_host"]

log = logging.getLogger("pywry.server")

_WILDCARDS = frozenset({"", "0.0.0.0", "::", "[::]"})  # noqa: S104 - names, not a bind


class ServerState(enum.Enum):
    STOPPED = "stopped"
    RUNNING = "running"
    DESTROYED = "destroyed"


def public_host(host: str) -> str:
    """A name a browser can reach for ``host``: never ``0.0.0.0``; IPv6 in brackets."""
    if host in _WILDCARDS:
        name = socket.gethostname()
        try:
            address = socket.gethostbyname(name)
        except OSError:
            return "127.0.0.1"
        return name if not address.startswith("127.") else "127.0.0.1"
    try:
        if ipaddress.ip_address(host).version == 6:
            return f"[{host}]"
    except ValueError:
        pass
    return host


class BrowserServer:
    """Owns the loop thread, the runner and the TLS material of one app."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        runner: ServerRunner,
        loop_thread: LoopThread,
        tls_loader: TlsLoader,
        bus: EventBus,
        bridge: Bridge,
        app_factory: Callable[..., object],
        cert_dir: Path,
    ) -> None:
        self._settings = settings
        self._runner = runner
        self._loop_thread = loop_thread
        self._tls_loader = tls_loader
        self._bus = bus
        self._bridge = bridge
        self._app_factory = app_factory
        self._cert_dir = cert_dir
        self._lock = threading.Lock()
        self._state = ServerState.STOPPED
        self._address: BoundAddress | None = None
        self._base_url: str | None = None

    @property
    def state(self) -> ServerState:
        return self._state

    @property
    def base_url(self) -> str | None:
        """``scheme://host:port`` while running."""
        return self._base_url

    def planned_base_url(self) -> str:
        """The base URL the server has, or will have once started (port 0 not yet known)."""
        if self._base_url is not None:
            return self._base_url
        scheme = "https" if self._wants_tls() else "http"
        return f"{scheme}://{public_host(self._settings.host)}:{self._settings.port}"

    def _wants_tls(self) -> bool:
        s = self._settings
        return bool(s.ssl or s.ssl_certfile or s.ssl_keyfile)

    def _tls_material(self) -> TlsMaterial | None:
        s = self._settings
        if s.ssl == "self-signed":
            hosts = [s.host, public_host(s.host).strip("[]")]
            files = self._tls_loader.self_signed(hosts, self._cert_dir)
        elif s.ssl_certfile or s.ssl_keyfile:
            from ..domain.errors import TlsError

            if not (s.ssl_certfile and s.ssl_keyfile):
                missing = "ssl_keyfile" if s.ssl_certfile else "ssl_certfile"
                raise TlsError(
                    f"HTTPS needs both ssl_certfile and ssl_keyfile; {missing} is not set"
                )
            files = TlsFiles(
                certfile=Path(s.ssl_certfile).expanduser(),
                keyfile=Path(s.ssl_keyfile).expanduser(),
                password=s.ssl_keyfile_password,
                ca_certs=Path(s.ssl_ca_certs).expanduser() if s.ssl_ca_certs else None,
            )
        else:
            return None
        return self._tls_loader.load(files)

    def ensure_started(self) -> str:
        """Start serving if not yet serving; return the base URL. Thread-safe, idempotent."""
        with self._lock:
            if self._state is ServerState.RUNNING and self._base_url is not None:
                return self._base_url
            if self._state is ServerState.DESTROYED:
                raise IllegalTransitionError(
                    "this PyWry app was destroyed; create a new PyWry() to show more widgets"
                )
            tls = self._tls_material()
            try:
                loop = self._loop_thread.loop
                self._loop_thread.run(self._bus.start())
                public = public_host(self._settings.host).strip("[]")
                app = self._app_factory(public_hosts=(public, socket.gethostname()))
                bind = Bind(
                    host=self._settings.host,
                    port=self._settings.port,
                    backlog=self._settings.backlog,
                    tls=tls,
                )
                address = self._runner.start(app, bind, loop)
            finally:
                # The server read the key while starting and keeps it in memory: a decrypted
                # copy on disk goes now, not at exit (a SIGTERM skips exit handlers).
                if tls is not None:
                    self._tls_loader.release(tls)
            self._address = address
            self._base_url = f"{address.scheme}://{public_host(address.host)}:{address.port}"
            self._state = ServerState.RUNNING
            log.info("pywry server listening on %s", self._base_url)
            for name in _deploy_only(self._settings):
                log.warning(
                    "server.%s is set but has no effect in browser mode (one in-process server);"
                    " it applies to deploy mode",
                    name,
                )
            return self._base_url

    def stop(self, *, notify_timeout: float | None = None) -> None:
        """Tell pages, stop serving, free the port and the loop. Idempotent.

        Pages get ``notify_timeout`` seconds (``timeout_graceful_shutdown``, default 2) to
        receive what is still queued for them.
        """
        if notify_timeout is None:
            configured = self._settings.timeout_graceful_shutdown
            notify_timeout = 2.0 if configured is None else configured  # 0: do not wait
        with self._lock:
            if self._state is ServerState.DESTROYED:
                return
            was_running = self._state is ServerState.RUNNING
            self._state = ServerState.DESTROYED
        try:
            if was_running:
                try:
                    # Pages get notify_timeout, then running callbacks as long again.
                    self._loop_thread.run(
                        self._bridge.shutdown(timeout=notify_timeout),
                        timeout=2 * notify_timeout + 3,
                    )
                except Exception:
                    log.debug("pages could not all be told the server stops", exc_info=True)
                self._runner.stop()
            elif self._loop_thread.state.value == "running":
                self._loop_thread.run(self._bridge.shutdown(timeout=0))
        finally:
            self._bridge.wake_waiters()
            if self._loop_thread.state.value == "running":
                try:
                    self._loop_thread.run(self._bus.stop(), timeout=5)
                except Exception:
                    log.debug("event bus did not stop cleanly", exc_info=True)
            self._loop_thread.stop()
            self._base_url = None
            self._address = None


def _deploy_only(settings: ServerSettings) -> list[str]:
    """The settings given a value that only deploy mode's worker processes can honour."""
    names = [
        name
        for name in ("limit_concurrency", "limit_max_requests")
        if getattr(settings, name) is not None
    ]
    return names + (["workers"] if settings.workers != 1 else [])
