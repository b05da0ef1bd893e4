"""Browser mode's server: pywry's own loop thread, Granian serving on it, TLS, the runtime.

Started once on first need (the first ``show()``); stopped by ``destroy()``, at the
interpreter's exit, or by Ctrl+C in ``block()``: pages are told, the port is freed and the
loop thread ends.
"""

from __future__ import annotations

import enum
import gc
import ipaddress
import logging
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from ..domain.errors import IllegalTransitionError, TlsError
from ..domain.ports import (
    Bind,
    BoundAddress,
    ExitHooks,
    ServerRunner,
    TlsFiles,
    TlsLoader,
    TlsMaterial,
)
from .loop import LoopThread
from .runtime import Runtime
from .settings import ServerSettings

__all__ = [
    "BrowserServer",
    "ServerState",
    "dev_cert_hosts",
    "public_host",
    "stop_at_exit",
    "tls_material",
]

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


def dev_cert_hosts(host: str) -> list[str]:
    """The names a development certificate covers for a server on ``host`` (with the
    loader's own localhost names), the same for the server and for ``pywry cert``."""
    return [host, public_host(host).strip("[]")]


class BrowserServer:
    """Owns the loop thread, the runner and the TLS material of one app."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        runner: ServerRunner,
        loop_thread: LoopThread,
        tls_loader: Callable[[], TlsLoader],
        runtime: Runtime,
        app_factory: Callable[..., object],
        cert_dir: Path,
    ) -> None:
        self._settings = settings
        self._runner = runner
        self._loop_thread = loop_thread
        self._tls_loader = tls_loader
        self._runtime = runtime
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
        return tls_material(self._settings, self._tls_loader, self._cert_dir)

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
                self._loop_thread.run(self._runtime.start())
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
                    self._tls_loader().release(tls)
            self._address = address
            self._base_url = f"{address.scheme}://{public_host(address.host)}:{address.port}"
            self._state = ServerState.RUNNING
            # A process's first full collection is due soon after a fresh start (what importing
            # and starting the server built: some 47,000 objects, about 12 ms here). Done now,
            # before any page connects, instead of in the middle of the first burst of events.
            # A process that had one already (it built a bigger heap before) is left alone.
            if gc.get_stats()[2]["collections"] == 0:
                gc.collect()
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
            if self._loop_thread.running:
                try:
                    # Pages get notify_timeout, then running callbacks as long again.
                    self._loop_thread.run(
                        self._runtime.stop(grace=notify_timeout), timeout=2 * notify_timeout + 3
                    )
                except Exception:
                    # Pages then get the server's own close (1001) without their goodbye.
                    log.warning("the runtime did not stop cleanly", exc_info=True)
            if was_running:
                self._runner.stop()
        finally:
            self._runtime.abandon()  # stopped for good, even if the loop could not say so
            self._loop_thread.stop()
            self._base_url = None
            self._address = None


def tls_material(
    settings: ServerSettings, loader: Callable[[], TlsLoader], cert_dir: Path
) -> TlsMaterial | None:
    """The TLS material the settings ask for (``None``: plain HTTP); the loader is only
    made when HTTPS is configured. Release it once the server has read it."""
    s = settings
    if s.ssl == "self-signed":
        files = loader().self_signed(dev_cert_hosts(s.host), cert_dir)
    elif s.ssl_certfile or s.ssl_keyfile:
        if not (s.ssl_certfile and s.ssl_keyfile):
            missing = "ssl_keyfile" if s.ssl_certfile else "ssl_certfile"
            raise TlsError(f"HTTPS needs both ssl_certfile and ssl_keyfile; {missing} is not set")
        files = TlsFiles(
            certfile=Path(s.ssl_certfile).expanduser(),
            keyfile=Path(s.ssl_keyfile).expanduser(),
            password=s.ssl_keyfile_password,
            ca_certs=Path(s.ssl_ca_certs).expanduser() if s.ssl_ca_certs else None,
        )
    else:
        return None
    return loader().load(files)


def _deploy_only(settings: ServerSettings) -> list[str]:
    """The settings given a value that only deploy mode's worker processes can honour."""
    names = [
        name
        for name in ("limit_concurrency", "limit_max_requests")
        if getattr(settings, name) is not None
    ]
    return names + (["workers"] if settings.workers != 1 else [])


class _App(Protocol):
    _at_exit: bool

    def destroy(self) -> None: ...


def stop_at_exit(app: _App, hooks: ExitHooks) -> Callable[[], None]:
    """Register with ``hooks`` (and return) the hook that stops ``app`` if the interpreter
    exits first.

    It holds the app while its server runs: an app whose URL serves pages is alive whatever
    the script still refers to, and at exit it must stop in order (its pages told, its
    loop's tasks ended, the server's native threads joined), not be torn down half-way by
    the interpreter. ``destroy()`` removes the hook; the app can then be collected.
    """

    def stop() -> None:
        app._at_exit = True
        app.destroy()

    hooks.register(stop)
    return stop
