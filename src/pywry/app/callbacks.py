"""Running callbacks, where a rule a user can read says:

- a plain (sync) function runs on a worker thread of a bounded pool, in its widget's lane:
  one widget's calls strictly in the order their events came, one at a time, and a slow
  callback of one widget never delays another widget;
- an ``async def`` callback runs on the server's event loop, as a task of its own;
- a plain function registered with ``sync_to_thread=False`` runs on the event loop at once.
  That saves two thread hops per event, and blocks every page of every widget while it
  runs: for quick code only. A run that took long is logged.

Nothing else decides: not how quick a callback was before. A callback that raises is
logged with its traceback and reported to the page; it never stops the server.

A page's ``call()`` is an event with a correlation id: one of its listeners, the *callee*,
answers it with what it returns or raises (the first registered for exactly that name, else
the first that matches), wherever the rule above runs it; the others run as for any event.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import queue
import threading
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from ..domain.events import Event
from .listeners import (
    CallbackFailure,
    CallbackTable,
    ErrorReporter,
    FailureObserver,
    Listener,
    Replier,
)

__all__ = ["LONG_ON_LOOP", "CallbackRunner"]

log = logging.getLogger("pywry.callbacks")

LONG_ON_LOOP = 0.1  # seconds a sync callback may hold the loop before it is logged


class _Countdown:
    """Calls ``done`` on the loop once each of an event's ``left`` listeners has finished."""

    __slots__ = ("_done", "_left", "_lock", "_loop")

    def __init__(self, left: int, done: Callable[[], object]) -> None:
        self._left = left
        self._done = done
        self._lock = threading.Lock()
        self._loop = asyncio.get_running_loop()

    def __call__(self) -> None:
        with self._lock:
            self._left -= 1
            last = self._left == 0
        if last:
            self._loop.call_soon_threadsafe(self._done)


Job = tuple[Listener, Event, bool, _Countdown | None]  # bool: it answers a call


class _Lane:
    """One widget's queue of sync calls: at most one worker thread works on it at a time."""

    __slots__ = ("jobs", "label", "running")

    def __init__(self, label: str) -> None:
        self.label = label
        self.jobs: deque[Job] = deque()
        self.running = False


_STOP = None
_NOT_CALLED: Any = object()  # _run_async calls the listener itself


class CallbackRunner:
    """Runs listeners: sync ones in per-widget lanes on worker threads, async ones on the loop.

    The workers take whole lanes from one queue (a C-level ``SimpleQueue``, no future per
    call): handing an event to a callback costs one wake-up, and a lane busy with a slow
    callback holds one worker while the others serve every other widget.
    """

    def __init__(
        self,
        *,
        table: CallbackTable,
        workers: int,
        report: ErrorReporter,
        reply: Replier,
        observe: FailureObserver | None = None,
        long_on_loop: float = LONG_ON_LOOP,
    ) -> None:
        self._table = table
        self._report = report
        self._reply = reply
        self._observe = observe
        self._long_on_loop = long_on_loop
        self._max_workers = workers
        self._workers: list[threading.Thread] = []
        self._ready: queue.SimpleQueue[_Lane | None] = queue.SimpleQueue()
        self._idle = 0  # workers waiting for a lane
        self._queued = 0  # lanes waiting for a worker
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False  # no new calls taken (draining or shut down)
        self._shut = False
        # Set once no widget has sync calls queued, for settle() while it waits (None: no
        # one waits, and the workers touch no event: a threading.Event costs a lock each time).
        self._lanes_done: threading.Event | None = None

    def in_worker(self) -> bool:
        """Whether the calling thread is one of this runner's workers (in a sync callback)."""
        return threading.current_thread() in self._workers

    def dispatch(self, event: Event, done: Callable[[], object] | None = None) -> int:
        """Start every listener of ``event``; return how many there were. Call on the loop.

        ``done`` is called on the loop once every one of them has finished (at once if none
        listens); never if the runner stops before.
        """
        if self._closed:
            return 0
        listeners = self._table.for_event(event)
        callee = _callee(event, listeners)
        if event.call_id is not None and callee is None:
            self._reply(event, None, LookupError(f"no Python callback for {event.name!r}"))
        if done is not None and not listeners:
            done()
        count = None if done is None or not listeners else _Countdown(len(listeners), done)
        for listener in listeners:
            answers = listener is callee
            if listener.is_async:
                task = asyncio.get_running_loop().create_task(
                    self._run_async(listener, event, answers, count=count)
                )
                self._tasks.add(task)
            elif listener.on_loop:
                self._run_here(listener, event, answers, count)
            else:
                self._enqueue((listener, event, answers, count))
        return len(listeners)

    def _run_here(
        self, listener: Listener, event: Event, answers: bool, count: _Countdown | None
    ) -> None:
        """Run a sync callback on the loop, now (it was registered with sync_to_thread=False)."""
        started = time.perf_counter()
        try:
            result = listener.call(event)
            if result is not None and inspect.isawaitable(result):
                task = asyncio.get_running_loop().create_task(
                    self._run_async(listener, event, answers, result, count)
                )
                self._tasks.add(task)
                count = None  # the task counts it down when it finishes
            elif answers:
                self._reply(event, result, None)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # SystemExit too: it must not take the page's socket down
            self._failed(listener, event, exc, answers)
        if count is not None:
            count()
        elapsed = time.perf_counter() - started
        if elapsed > self._long_on_loop:
            log.warning(
                "callback %s for %r held the server's event loop for %.0f ms: no page of any"
                " widget was served meanwhile. Let it run on a worker thread (drop"
                " sync_to_thread=False) or make it async def",
                listener.name,
                event.name,
                elapsed * 1000,
            )

    def _enqueue(self, job: Job) -> None:
        label = job[1].label
        with self._lock:
            if self._closed:
                return
            lane = self._lanes.get(label)
            if lane is None:
                lane = self._lanes[label] = _Lane(label)
            lane.jobs.append(job)
            if lane.running:
                return
            lane.running = True
            self._queued += 1
            # Every queued lane needs a worker of its own, or a slow lane could hold it up.
            spawn = self._idle < self._queued and len(self._workers) < self._max_workers
            if spawn:
                worker = threading.Thread(
                    target=self._work,
                    name=f"pywry-callback-{len(self._workers)}",
                    daemon=True,
                )
                self._workers.append(worker)
        if spawn:
            worker.start()
        self._ready.put(lane)

    def _work(self) -> None:
        while True:
            with self._lock:
                self._idle += 1
            lane = self._ready.get()
            with self._lock:
                self._idle -= 1
                if lane is not _STOP:
                    self._queued -= 1
            if lane is _STOP:
                return
            self._drain(lane)

    def _drain(self, lane: _Lane) -> None:
        while True:
            with self._lock:
                if not lane.jobs:
                    lane.running = False
                    if self._lanes.get(lane.label) is lane:
                        del self._lanes[lane.label]
                        if not self._lanes and self._lanes_done is not None:
                            self._lanes_done.set()
                            self._lanes_done = None
                    return
                listener, event, answers, count = lane.jobs.popleft()
            try:
                result = listener.call(event)
                if inspect.isawaitable(result):
                    # A sync function that returned a coroutine: run it to completion here.
                    result = asyncio.run(_await(result))
                if answers:
                    self._reply(event, result, None)
            except BaseException as exc:  # SystemExit too: the worker must live on
                self._failed(listener, event, exc, answers)
            if count is not None:
                count()

    async def _run_async(
        self,
        listener: Listener,
        event: Event,
        answers: bool,
        result: Any = _NOT_CALLED,
        count: _Countdown | None = None,
    ) -> None:
        """Run (or, given its ``result``, finish) a callback on the loop; reply if it answers."""
        try:
            if result is _NOT_CALLED:
                result = listener.call(event)
            if inspect.isawaitable(result):
                result = await result
            if answers:
                self._reply(event, result, None)
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # SystemExit too: it must not stop the loop
            self._failed(listener, event, exc, answers)
        finally:
            self._tasks.discard(asyncio.current_task())
        if count is not None:  # not when cancelled: that run did not finish
            count()

    def _failed(
        self, listener: Listener, event: Event, exc: BaseException, answers: bool = False
    ) -> None:
        log.error(
            "callback %s for %r of widget %r raised",
            listener.name,
            event.name,
            event.label,
            exc_info=exc,
        )
        try:
            if answers:
                self._reply(event, None, exc)  # the caller's promise rejects with it
            else:
                self._report(event, exc)
                if self._observe is not None:
                    self._observe(CallbackFailure(listener.name, event, exc))
        except Exception:  # reporting must never take the server down
            log.debug("could not report a callback error to the page", exc_info=True)

    async def drain(self, timeout: float) -> int:
        """Take no new calls; let the queued and running ones finish, within ``timeout``.

        The events behind them were acknowledged to their pages, which will not send them
        again: they run, unless the server has to stop before. Then stops (as
        :meth:`shutdown`) and returns how many calls did not run.
        """
        with self._lock:
            self._closed = True
        await self.settle(timeout)
        with self._lock:
            dropped = sum(len(lane.jobs) for lane in self._lanes.values())
        dropped += sum(not task.done() for task in self._tasks)
        self.shutdown(wait=False)
        return dropped

    async def settle(self, timeout: float) -> bool:
        """Wait until no call is queued or running (within ``timeout``); whether none is."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:  # an async callback may start more tasks, a lane may refill
            running = [task for task in self._tasks if not task.done()]
            with self._lock:
                lanes_done = None
                if self._lanes:
                    lanes_done = self._lanes_done = self._lanes_done or threading.Event()
            if not running and lanes_done is None:
                return True
            left = deadline - loop.time()
            if left <= 0:
                return False
            if running:
                await asyncio.wait(running, timeout=left)
            elif lanes_done is not None:
                await asyncio.to_thread(lanes_done.wait, left)

    def shutdown(self, *, wait: bool = True, timeout: float = 5.0) -> None:
        """Stop taking calls, drop queued ones; with ``wait``, let running ones finish.

        Bounded by ``timeout``; idempotent. :meth:`drain` first lets queued calls run.
        """
        with self._lock:
            if self._shut:
                return
            self._shut = self._closed = True
            for lane in self._lanes.values():
                lane.jobs.clear()
            workers = list(self._workers)
        for task in list(self._tasks):
            task.cancel()
        for _ in workers:
            self._ready.put(_STOP)
        if wait:
            for worker in workers:
                if worker is not threading.current_thread():
                    worker.join(timeout)


def _callee(event: Event, listeners: tuple[Listener, ...]) -> Listener | None:
    """The listener whose result answers ``event`` if it is a call: the first registered
    for exactly its name, else the first that matches (a wildcard)."""
    if event.call_id is None or not listeners:
        return None
    return next((item for item in listeners if item.pattern == event.name), listeners[0])


async def _await(awaitable: Any) -> Any:
    return await awaitable
