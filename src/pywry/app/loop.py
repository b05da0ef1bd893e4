"""The two event loops pywry runs on: one in a thread of its own, or one a host server lends.

Browser mode keeps the user's script in its thread and runs sockets, the server and the hub
on a loop in a daemon thread (:class:`LoopThread`), so a script that forgets ``destroy()``
still exits. Where a server someone else started serves the widgets (a Litestar app),
:class:`HostLoop` attaches to that server's running loop at startup. Both implement the
:class:`~pywry.domain.ports.EventLoop` port, and both keep calls made before the loop runs
until it does.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import enum
import threading
from collections.abc import Callable, Coroutine
from typing import Any, TypeVar

from ..domain.errors import IllegalTransitionError, ServerError
from ..domain.ports import EventLoop

__all__ = ["HostLoop", "LoopState", "LoopThread"]

T = TypeVar("T")


class LoopState(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


def _new_loop(use_uvloop: bool) -> asyncio.AbstractEventLoop:
    if use_uvloop:
        try:
            import uvloop  # type: ignore[import-not-found,unused-ignore]
        except ImportError:
            pass
        else:
            loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
            return loop
    return asyncio.new_event_loop()


class _Loop(EventLoop):
    """What both loops share: the state, the calls kept before start, waiting from a thread."""

    def __init__(self) -> None:
        self._state = LoopState.NEW
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._ident: int | None = None
        self._kept: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    @property
    def state(self) -> LoopState:
        return self._state

    @property
    def running(self) -> bool:
        return self._state is LoopState.RUNNING

    def in_loop(self) -> bool:
        # By thread id: forgotten when the loop stops (the OS reuses the ids of ended threads).
        return threading.get_ident() == self._ident

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        loop = self._loop
        if loop is None or self._state is not LoopState.RUNNING:
            with self._lock:
                if self._state is LoopState.NEW:
                    self._kept.append((fn, args))
                    return
                if self._state is LoopState.STOPPED:
                    raise IllegalTransitionError("the event loop was stopped")
                loop = self._loop
            assert loop is not None
        if self.in_loop():
            loop.call_soon(fn, *args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = 30.0) -> T:
        if self.in_loop():
            coro.close()
            raise RuntimeError("waiting for the event loop on its own thread would deadlock")
        loop = self._loop
        if loop is None or self._state is not LoopState.RUNNING:
            coro.close()
            raise ServerError("the event loop is not running")
        future = asyncio.run_coroutine_threadsafe(coro, loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ServerError(f"the server did not answer within {timeout} s") from None

    def _running_on(self, loop: asyncio.AbstractEventLoop, ident: int | None) -> None:
        """Mark the loop running (the lock held) and hand it the calls kept until now."""
        self._loop, self._ident = loop, ident
        self._state = LoopState.RUNNING
        kept, self._kept = self._kept, []
        for fn, args in kept:
            loop.call_soon_threadsafe(fn, *args)


class LoopThread(_Loop):
    """Runs one event loop in a background daemon thread (browser mode)."""

    def __init__(self, *, name: str = "pywry-loop", use_uvloop: bool = True) -> None:
        super().__init__()
        self._name = name
        self._use_uvloop = use_uvloop
        self._thread: threading.Thread | None = None

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop; starts the thread on first use."""
        self.start()
        assert self._loop is not None
        return self._loop

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = 30.0) -> T:
        if self._state is LoopState.NEW and not self.in_loop():
            self.start()  # the loop is pywry's own: the first wait starts it
        return super().run(coro, timeout=timeout)

    def start(self) -> None:
        """Start the thread and its loop. Idempotent; a stopped loop cannot restart."""
        with self._lock:
            if self._state is LoopState.RUNNING:
                return
            if self._state is LoopState.STOPPED:
                raise IllegalTransitionError("this event loop thread was stopped; make a new one")
            loop = _new_loop(self._use_uvloop)
            ready = threading.Event()

            def run() -> None:
                asyncio.set_event_loop(loop)
                loop.call_soon(ready.set)
                try:
                    loop.run_forever()
                finally:
                    try:
                        with contextlib.suppress(Exception):
                            loop.run_until_complete(loop.shutdown_asyncgens())
                        loop.close()
                    finally:
                        self._ident = None

            thread = threading.Thread(target=run, name=self._name, daemon=True)
            thread.start()
            if not ready.wait(10):
                raise ServerError("the event loop thread did not start within 10 s")
            self._thread = thread
            self._running_on(loop, thread.ident)

    def stop(self, *, timeout: float = 10.0) -> None:
        """Cancel what is left on the loop, stop it and join the thread. Idempotent."""
        with self._lock:
            if self._state is not LoopState.RUNNING:
                self._state = LoopState.STOPPED
                return
            self._state = LoopState.STOPPED
            loop, thread = self._loop, self._thread
        assert loop is not None
        assert thread is not None
        if threading.current_thread() is thread:
            loop.stop()
            return

        async def cancel_rest() -> None:
            current = asyncio.current_task()
            tasks = [t for t in asyncio.all_tasks() if t is not current]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

        with contextlib.suppress(Exception):
            asyncio.run_coroutine_threadsafe(cancel_rest(), loop).result(timeout)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)


class HostLoop(_Loop):
    """The running loop of a server someone else started, lent from its startup to shutdown.

    ``attach()`` is called on that loop (in a lifespan's startup); ``detach()`` at shutdown.
    The host owns the loop: nothing here starts, stops or closes it.
    """

    def attach(self) -> None:
        """Use the running loop of the calling task. Idempotent on the same loop."""
        loop = asyncio.get_running_loop()
        with self._lock:
            if self._state is LoopState.RUNNING:
                if self._loop is loop:
                    return
                raise IllegalTransitionError(
                    "pywry is already attached to another event loop; one app serves one server"
                )
            if self._state is LoopState.STOPPED:
                raise IllegalTransitionError("this loop was detached; make a new app")
            self._running_on(loop, threading.get_ident())

    def detach(self) -> None:
        """The host is shutting down: nothing more runs here. Idempotent."""
        with self._lock:
            self._state = LoopState.STOPPED
            self._kept.clear()
            self._loop = None
            self._ident = None
