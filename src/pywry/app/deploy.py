"""Deploy mode on one worker: pywry's own Litestar app, served in the foreground.

The widgets are served the hosted way (the plugin at the root of pywry's own app, whose
lifespan starts and stops them); Granian serves that app on a loop thread while the main
thread waits for SIGINT or SIGTERM. On either, pages are told the server is restarting
(they reconnect with backoff, and reload for fresh tokens once it is back), callbacks
finish, the port is freed, and ``deploy()`` returns.
"""

from __future__ import annotations

import contextlib
import logging
import signal
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from ..domain.errors import IllegalTransitionError
from ..domain.ports import Bind, ServerRunner, TlsLoader
from .hosted import HostedBridge
from .loop import LoopThread
from .server import public_host, tls_material
from .settings import ServerSettings

__all__ = ["DeployServer"]

log = logging.getLogger("pywry.server")

_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class DeployServer:
    """Serves one app in the foreground until a signal (or :meth:`stop`) ends it."""

    def __init__(
        self,
        *,
        settings: ServerSettings,
        runner: ServerRunner,
        bridge: HostedBridge,
        tls_loader: Callable[[], TlsLoader],
        cert_dir: Path,
    ) -> None:
        self._settings = settings
        self._runner = runner
        self._bridge = bridge
        self._tls_loader = tls_loader
        self._cert_dir = cert_dir
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._served = False
        self.base_url: str | None = None

    def serve(self, app: object, *, ready: Callable[[str], None] | None = None) -> None:
        """Serve ``app`` until SIGINT/SIGTERM or :meth:`stop`; from the main thread for the
        signals to reach it. ``ready`` is called with the base URL once it answers."""
        with self._lock:
            if self._served:
                raise IllegalTransitionError(
                    "deploy() serves once per PyWry app; run the script again to serve again"
                )
            self._served = True
        s = self._settings
        _show_our_log()
        loop = LoopThread(name="pywry-deploy")
        tls = tls_material(s, self._tls_loader, self._cert_dir)
        try:
            with _signals_stop(self._stop):
                loop.start()
                bind = Bind(host=s.host, port=s.port, backlog=s.backlog, tls=tls, lifespan=True)
                try:
                    address = self._runner.start(app, bind, loop.loop)
                finally:
                    if tls is not None:
                        self._tls_loader().release(tls)
                self.base_url = f"{address.scheme}://{public_host(address.host)}:{address.port}"
                self._bridge.serve_own(self.base_url)
                log.info("pywry deploy server listening on %s (Ctrl+C stops it)", self.base_url)
                if ready is not None:
                    ready(self.base_url)
                self._stop.wait()
                log.info("stopping the pywry deploy server")
        finally:
            try:
                if loop.running:
                    # Pages first, told the server restarts, while Granian still carries them.
                    self._bridge.stop_from_thread()
            finally:
                self._runner.stop()
                loop.stop()
                self.base_url = None

    def stop(self) -> None:
        """End :meth:`serve` (from any thread): what a signal does."""
        self._stop.set()


def _show_our_log() -> None:
    """A foreground server says where it listens: pywry's INFO lines go to stderr unless
    the program configured logging itself."""
    ours = logging.getLogger("pywry")
    if logging.getLogger().handlers or ours.handlers:
        return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    ours.addHandler(handler)
    if ours.level == logging.NOTSET:
        ours.setLevel(logging.INFO)


@contextlib.contextmanager
def _signals_stop(stop: threading.Event) -> Iterator[None]:
    """SIGINT and SIGTERM set ``stop`` while serving; the previous handlers come back after.

    Off the main thread Python cannot take signals: :meth:`DeployServer.stop` is the way.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def on_signal(signum: int, _frame: FrameType | None) -> None:
        log.info("received %s", signal.Signals(signum).name)
        stop.set()

    previous: dict[int, Any] = {sig: signal.signal(sig, on_signal) for sig in _SIGNALS}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
