"""An asyncio event loop in a daemon thread: where the server and the bridge live.

The user's script keeps its own thread; everything that touches sockets runs here. The
thread is a daemon so that a script that forgets ``destroy()`` still exits, and
``stop()`` is idempotent and safe from any thread but the loop's own.
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

__all__ = ["LoopState", "LoopThread"]

T = TypeVar("T")


class LoopState(enum.Enum):
    NEW = "new"
    RUNNING = "running"
    STOPPED = "stopped"


def _new_loop() -> asyncio.AbstractEventLoop:
    try:
        import uvloop  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return asyncio.new_event_loop()
    loop: asyncio.AbstractEventLoop = uvloop.new_event_loop()
    return loop


class LoopThread:
    """Runs one event loop in a background daemon thread."""

    def __init__(self, *, name: str = "pywry-loop", use_uvloop: bool = True) -> None:
        self._name = name
        self._use_uvloop = use_uvloop
        self._state = LoopState.NEW
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ident: int | None = None

    @property
    def state(self) -> LoopState:
        return self._state

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """The running loop; starts the thread on first use."""
        self.start()
        assert self._loop is not None
        return self._loop

    def in_loop_thread(self) -> bool:
        # By thread id: threading.current_thread() is a Python call, and emit asks this often.
        return threading.get_ident() == self._ident

    def start(self) -> None:
        """Start the thread and its loop. Idempotent; a stopped loop cannot restart."""
        with self._lock:
            if self._state is LoopState.RUNNING:
                return
            if self._state is LoopState.STOPPED:
                raise IllegalTransitionError("this event loop thread was stopped; make a new one")
            loop = _new_loop() if self._use_uvloop else asyncio.new_event_loop()
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
                        self._ident = None  # the OS reuses the id of a thread that ended

            thread = threading.Thread(target=run, name=self._name, daemon=True)
            thread.start()
            if not ready.wait(10):
                raise ServerError("the event loop thread did not start within 10 s")
            self._loop, self._thread, self._ident = loop, thread, thread.ident
            self._state = LoopState.RUNNING

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Schedule ``fn(*args)`` on the loop from any thread; never blocks."""
        loop = self.loop
        if self.in_loop_thread():
            loop.call_soon(fn, *args)
        else:
            loop.call_soon_threadsafe(fn, *args)

    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = 30.0) -> T:
        """Run ``coro`` on the loop and wait for its result from another thread."""
        if self.in_loop_thread():
            coro.close()
            raise RuntimeError("LoopThread.run() would deadlock when called on the loop thread")
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise ServerError(f"the server did not answer within {timeout} s") from None

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
