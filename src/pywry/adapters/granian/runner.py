"""Granian's embedded server on an event loop in a daemon thread.

Granian 2.8's embedded ``Server`` runs its worker as a task on the loop it is awaited on and
installs no signal handler, so it can live in pywry's loop thread. Everything Granian does not
give is done around it: it reports no bound port and says nothing when it is ready (see
``sockets``), it resets logging (we pass an incremental config) and it can abort the
interpreter when the process exits while its native threads still run (stop waits for them,
see ``threads``, and an ``atexit`` hook stops a runner the script forgot).
"""

from __future__ import annotations

import asyncio
import atexit
import concurrent.futures
import contextlib
import enum
import functools
import logging
import os
import socket
import sys
import threading
import time
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from granian.constants import Interfaces, SSLProtocols
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.log import logger as granian_logger
from granian.net import SocketSpec  # type: ignore[attr-defined]
from granian.server.embed import Server

from ...domain.errors import IllegalTransitionError, ServerError, SettingsError
from ...domain.ports import Bind, BoundAddress, ExitHooks, ServerRunner
from .connections import ConnectionTracker
from .sockets import (
    accepts,
    bind_error,
    check_free,
    host_port,
    in_use,
    loopback_for,
    reserve_checked,
    resolve,
)
from .threads import python_thread_ids, task_ids, wait_threads_exit

__all__ = ["GranianRunner", "RunnerState"]

log = logging.getLogger("pywry.server")

_EXPERIMENTAL_NOTICE = "Embedded server is experimental!"
_STOP_TIMEOUT = 10.0  # seconds serve() gets to return after stop
_DRAIN_TIMEOUT = 1.0  # seconds open requests get to finish at stop before they are cancelled


class RunnerState(enum.Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    RUNNING = "running"
    STOPPING = "stopping"


class _HideExperimentalNotice(logging.Filter):
    """Drops the warning Granian logs on every embedded start; keeps every other record."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.levelno == logging.WARNING and record.msg == _EXPERIMENTAL_NOTICE)


class _Server(Server):
    """Granian's embedded server, minus the socket its start leaks on Linux.

    Granian 2.8 builds a socket there once to check the address and drops the holder
    without closing it (its worker binds its own): the port then stays bound after the
    server stops, so another program's plain ``bind()`` fails, and every start leaks a
    descriptor. This does the same check and closes exactly that socket.
    """

    def _init_shared_socket(self) -> None:
        if sys.platform == "linux" and not self.bind_uds:
            spec = SocketSpec(self.bind_addr, self.bind_port, self.backlog)
            self._ssp = spec  # type: ignore[assignment]  # the worker binds its own from it
            holder: Any = spec.build()  # raises as Granian's own check does
            os.close(holder.get_fd())  # the holder never closes it
            return
        super()._init_shared_socket()  # type: ignore[no-untyped-call]


@dataclass(slots=True)
class _Serving:
    """One started Granian server and what must be released with it."""

    server: Server
    tracker: ConnectionTracker
    loop: asyncio.AbstractEventLoop
    future: concurrent.futures.Future[None]
    reservation: socket.socket
    threads_before: frozenset[str]
    address: BoundAddress


def _log_config() -> dict[str, object]:
    # Incremental: Granian's dictConfig then only sets levels and keeps the user's handlers.
    return {"version": 1, "incremental": True, "handlers": {}, "formatters": {}, "loggers": {}}


def _access_lines_shown() -> bool:
    """Whether a line on ``granian.access`` would reach a handler now. Granian makes each
    request's line before logging decides; with no handler to print it (the lines are INFO,
    below what Python prints without one), it is not made at all."""
    access = logging.getLogger("granian.access")
    return access.isEnabledFor(logging.INFO) and access.hasHandlers()


def _on_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False


async def _close(serving: _Serving) -> None:
    # Open requests and WebSockets first: once Granian has stopped, they no longer reach the app.
    try:
        await serving.tracker.close(_DRAIN_TIMEOUT)
    finally:
        serving.server.stop()  # type: ignore[no-untyped-call]


def _stop_at_exit(ref: weakref.ReferenceType[GranianRunner]) -> None:
    runner = ref()
    if runner is not None:
        try:
            runner.stop()
        except Exception:  # an exit hook must never raise
            log.debug("the server did not stop cleanly at exit", exc_info=True)


class GranianRunner(ServerRunner):
    """Serves an ASGI app with Granian's embedded server on a loop running in another thread.

    Args:
        log_level: Level of Granian's own logger (``debug``, ``info``, ``warning``, ...).
        access_log: Log one line per request on the ``granian.access`` logger.
        timeout_keep_alive: Seconds an idle HTTP/1.1 keep-alive connection stays open; 0 turns
            keep-alive off. Granian 2.8 has no separate idle timeout, so this is its header read
            timeout, which closes an idle kept-alive connection as well.
        backpressure: Most requests served at once (Granian's default when ``None``).
        start_timeout: Seconds ``start`` waits for the server to accept connections.
        exit_hooks: Where the hook that stops a forgotten runner at exit is registered while
            it serves (``atexit``).

    TLS accepts TLS 1.2 and 1.3 (Granian's default is 1.3 only) so older clients still connect.
    """

    def __init__(
        self,
        *,
        log_level: str = "info",
        access_log: bool = False,
        timeout_keep_alive: int = 5,
        backpressure: int | None = None,
        start_timeout: float = 10.0,
        exit_hooks: ExitHooks = atexit,
    ) -> None:
        try:
            self._log_level = LogLevels(log_level.lower())
        except ValueError:
            names = ", ".join(level.value for level in LogLevels)
            raise SettingsError(f"log_level {log_level!r} is not one of: {names}") from None
        if timeout_keep_alive < 0:
            raise SettingsError(f"timeout_keep_alive must be 0 or more, not {timeout_keep_alive}")
        if backpressure is not None and backpressure < 1:
            raise SettingsError(f"backpressure must be 1 or more, not {backpressure}")
        if start_timeout <= 0:
            raise SettingsError(f"start_timeout must be more than 0 s, not {start_timeout}")
        self._access_log = access_log
        self._keep_alive = timeout_keep_alive
        self._backpressure = backpressure
        self._start_timeout = start_timeout
        self._exit_hooks = exit_hooks
        self._lock = threading.Lock()
        self._state = RunnerState.STOPPED
        self._serving: _Serving | None = None
        self._exit_hook: functools.partial[None] | None = None

    @property
    def state(self) -> RunnerState:
        return self._state

    @property
    def address(self) -> BoundAddress | None:
        """Where the server listens while running; ``None`` once serving ended."""
        serving = self._serving
        if serving is None or self._state is not RunnerState.RUNNING or serving.future.done():
            return None
        return serving.address

    def start(self, app: object, bind: Bind, loop: asyncio.AbstractEventLoop) -> BoundAddress:
        """Serve ``app`` (ASGI; its lifespan runs when ``bind.lifespan``) on ``bind`` and
        return once it accepts connections.

        Raises:
            PortInUseError: The port is taken by another program.
            ServerError: The host cannot be bound, the loop is not running, or the server
                failed or did not answer within ``start_timeout``.
            IllegalTransitionError: The runner is already serving, or this is the loop's thread.
        """
        if _on_loop(loop):
            raise IllegalTransitionError(
                "start() waits for the server, so it cannot run on the server's own event loop; "
                "call it from another thread"
            )
        with self._lock:
            if self._state is not RunnerState.STOPPED:
                current = self._serving.address if self._serving else None
                where = f" on {host_port(current.host, current.port)}" if current else ""
                raise IllegalTransitionError(
                    f"the server is already {self._state.value}{where}; call stop() before start()"
                )
            if loop.is_closed() or not loop.is_running():
                raise ServerError("the server's event loop is not running; start its thread first")
            self._state = RunnerState.STARTING
            try:
                self._serving = self._launch(app, bind, loop)
            except BaseException:
                self._state = RunnerState.STOPPED
                raise
            self._state = RunnerState.RUNNING
            if self._exit_hook is None:
                # A weak reference: the hook must not keep a forgotten runner alive.
                self._exit_hook = functools.partial(_stop_at_exit, weakref.ref(self))
                self._exit_hooks.register(self._exit_hook)
            return self._serving.address

    def stop(self) -> None:
        """Stop serving, wait for Granian's threads and free the port. Idempotent.

        Raises:
            IllegalTransitionError: Called on the server's own event loop (it would deadlock).
        """
        serving = self._serving
        if serving is not None and _on_loop(serving.loop):
            raise IllegalTransitionError(
                "stop() waits for the server, so it cannot run on the server's own event loop; "
                "call it from another thread"
            )
        with self._lock:
            serving = self._serving
            if serving is None:
                return
            self._state = RunnerState.STOPPING
            try:
                self._shutdown(serving)
            finally:
                self._serving = None
                self._state = RunnerState.STOPPED
                self._release_exit_hook()

    def _release_exit_hook(self) -> None:
        # A stopped runner has nothing to stop at exit: without this, every runner started
        # once would leave its hook registered for the life of the process.
        if self._exit_hook is not None:
            self._exit_hooks.unregister(self._exit_hook)
            self._exit_hook = None

    def _launch(self, app: object, bind: Bind, loop: asyncio.AbstractEventLoop) -> _Serving:
        family, ip = resolve(bind.host)
        local = loopback_for(family, ip)
        try:
            if bind.port != 0:
                check_free(family, ip, bind.port)
            reservation = reserve_checked(family, ip, bind.port, local)
        except OSError as exc:
            raise bind_error(exc, bind.host, bind.port) from None
        port = int(reservation.getsockname()[1])
        try:
            # Another server may have started listening between the probe and the reservation.
            if bind.port != 0 and accepts(family, local, port):
                raise in_use(bind.host, port)
            tracker = ConnectionTracker(app)
            server = self._server(tracker, ip, port, bind)
        except BaseException:
            reservation.close()
            raise
        address = BoundAddress(bind.host, port, "https" if bind.tls else "http")
        before = task_ids()
        future = asyncio.run_coroutine_threadsafe(server.serve(), loop)
        serving = _Serving(server, tracker, loop, future, reservation, before, address)
        try:
            self._wait_until_ready(serving, family, local, bind.host)
        except BaseException:
            self._shutdown(serving)
            raise
        return serving

    def _server(self, app: object, ip: str, port: int, bind: Bind) -> Server:
        if not any(isinstance(f, _HideExperimentalNotice) for f in granian_logger.filters):
            granian_logger.addFilter(_HideExperimentalNotice())
        tls = bind.tls
        try:
            return _Server(
                app,
                address=ip,
                port=port,
                interface=Interfaces.ASGI if bind.lifespan else Interfaces.ASGINL,
                backlog=bind.backlog,
                backpressure=self._backpressure,
                http1_settings=HTTP1Settings(
                    keep_alive=self._keep_alive > 0,
                    header_read_timeout=(self._keep_alive or 30) * 1000,
                ),
                log_level=self._log_level,
                log_dictconfig=_log_config(),
                log_access=self._access_log and _access_lines_shown(),
                ssl_cert=Path(tls.certfile) if tls else None,
                ssl_key=Path(tls.keyfile) if tls else None,
                ssl_ca=Path(tls.ca_certs) if tls and tls.ca_certs else None,
                ssl_protocol_min=SSLProtocols.tls12,
            )
        except Exception as exc:  # Granian checks the certificate here, with Python's ssl
            raise ServerError(f"the server could not be configured: {exc}") from None

    def _wait_until_ready(
        self, serving: _Serving, family: socket.AddressFamily, local: str, host: str
    ) -> None:
        port = serving.address.port
        deadline = time.monotonic() + self._start_timeout
        while not accepts(family, local, port):
            if serving.future.done():
                exc = serving.future.exception()
                if exc is None:
                    raise ServerError(f"the server on {host_port(host, port)} stopped at once")
                raise bind_error(exc, host, port) from None
            if time.monotonic() >= deadline:
                raise ServerError(
                    f"the server on {host_port(host, port)} did not accept connections within "
                    f"{self._start_timeout} s"
                )
            concurrent.futures.wait([serving.future], timeout=0.002)

    @staticmethod
    def _shutdown(serving: _Serving) -> None:
        granian_threads = task_ids() - serving.threads_before - python_thread_ids()
        try:
            closing = asyncio.run_coroutine_threadsafe(_close(serving), serving.loop)
        except RuntimeError:  # the loop is closed: nothing can reach the server any more
            log.warning("the server's event loop was closed before the server was stopped")
        else:
            try:
                closing.result(_DRAIN_TIMEOUT + _STOP_TIMEOUT)
            except (Exception, concurrent.futures.CancelledError):
                log.debug("the server's connections did not close cleanly", exc_info=True)
                with contextlib.suppress(RuntimeError):
                    serving.loop.call_soon_threadsafe(serving.server.stop)
        try:
            serving.future.result(_STOP_TIMEOUT)
        except concurrent.futures.TimeoutError:
            serving.future.cancel()
            log.warning("the server did not stop within %s s", _STOP_TIMEOUT)
        except (Exception, concurrent.futures.CancelledError):
            log.debug("the server ended with an error", exc_info=True)
        wait_threads_exit(granian_threads)
        serving.reservation.close()
