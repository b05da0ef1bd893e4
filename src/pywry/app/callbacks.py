"""Callbacks: who listens to which events, and how they are run.

A callback may take ``(data)``, ``(data, event_type)`` or ``(data, event_type, label)``;
it may be a plain function or ``async def``. Sync callbacks run on a bounded worker pool,
one widget's callbacks strictly in order, so a slow callback of one widget never delays
another widget. Async callbacks run on the server's loop. A callback that raises is
logged with its traceback and reported to the page; it never stops the server.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.events import Event, check_handler_pattern, matches

__all__ = ["Callback", "CallbackRunner", "CallbackTable", "Listener", "adapt"]

log = logging.getLogger("pywry.callbacks")

Callback = Callable[..., Any]
ErrorReporter = Callable[[Event, BaseException], None]


def _positional_arity(fn: Callback) -> int:
    try:
        signature = inspect.signature(fn)
    except (TypeError, ValueError):
        return 3  # builtins and C callables: give them everything
    count = 0
    for param in signature.parameters.values():
        if param.kind is inspect.Parameter.VAR_POSITIONAL:
            return 3
        if param.kind in (
            inspect.Parameter.POSITIONAL_ONLY,
            inspect.Parameter.POSITIONAL_OR_KEYWORD,
        ):
            count += 1
    return min(count, 3)


def _is_async(fn: Callback) -> bool:
    return inspect.iscoroutinefunction(fn) or inspect.iscoroutinefunction(
        getattr(fn, "__call__", None)  # noqa: B004 - an object with an async __call__
    )


@dataclass(frozen=True, slots=True)
class Listener:
    """One registered callback: the pattern it listens to and the widget (None: every one)."""

    pattern: str
    label: str | None
    fn: Callback
    arity: int
    is_async: bool

    def call(self, event: Event) -> Any:
        args = (event.data, event.name, event.label)[: self.arity]
        return self.fn(*args)


def adapt(pattern: str, fn: Callback, label: str | None = None) -> Listener:
    """Check ``pattern`` and ``fn`` and make a :class:`Listener` of them."""
    check_handler_pattern(pattern)
    if not callable(fn):
        raise TypeError(f"callback for {pattern!r} must be callable, got {type(fn).__name__}")
    return Listener(pattern, label, fn, _positional_arity(fn), _is_async(fn))


class CallbackTable:
    """The listeners, readable from the loop without a lock (copy on write)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: tuple[Listener, ...] = ()

    def add(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = (*self._listeners, listener)

    def remove(self, pattern: str, fn: Callback | None = None, label: str | None = None) -> int:
        """Remove the listeners of ``pattern`` (only ``fn`` if given); how many went."""
        with self._lock:
            keep = tuple(
                item
                for item in self._listeners
                if not (
                    item.pattern == pattern
                    and (fn is None or item.fn == fn)
                    and (label is None or item.label == label)
                )
            )
            removed = len(self._listeners) - len(keep)
            self._listeners = keep
        return removed

    def drop_label(self, label: str) -> None:
        with self._lock:
            self._listeners = tuple(item for item in self._listeners if item.label != label)

    def for_event(self, event: Event) -> list[Listener]:
        return [
            item
            for item in self._listeners
            if (item.label is None or item.label == event.label)
            and matches(item.pattern, event.name)
        ]


class _Lane:
    """One widget's queue of sync calls: at most one worker thread works on it at a time."""

    __slots__ = ("jobs", "label", "running")

    def __init__(self, label: str) -> None:
        self.label = label
        self.jobs: deque[tuple[Listener, Event]] = deque()
        self.running = False


_STOP = None


class CallbackRunner:
    """Runs listeners: sync ones in per-widget lanes on worker threads, async ones on the loop.

    The workers take whole lanes from one queue (a C-level ``SimpleQueue``, no future per
    call): handing an event to a callback costs one wake-up, and a lane busy with a slow
    callback holds one worker while the others serve every other widget.
    """

    def __init__(self, *, table: CallbackTable, workers: int, report: ErrorReporter) -> None:
        self._table = table
        self._report = report
        self._max_workers = workers
        self._workers: list[threading.Thread] = []
        self._ready: queue.SimpleQueue[_Lane | None] = queue.SimpleQueue()
        self._idle = 0  # workers waiting for a lane
        self._queued = 0  # lanes waiting for a worker
        self._lanes: dict[str, _Lane] = {}
        self._lock = threading.Lock()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._closed = False

    def dispatch(self, event: Event) -> int:
        """Start every listener of ``event``; return how many there were. Call on the loop."""
        listeners = self._table.for_event(event)
        for listener in listeners:
            if listener.is_async:
                task = asyncio.get_running_loop().create_task(self._run_async(listener, event))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            else:
                self._enqueue(listener, event)
        return len(listeners)

    def _enqueue(self, listener: Listener, event: Event) -> None:
        with self._lock:
            if self._closed:
                return
            lane = self._lanes.get(event.label)
            if lane is None:
                lane = self._lanes[event.label] = _Lane(event.label)
            lane.jobs.append((listener, event))
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
                    return
                listener, event = lane.jobs.popleft()
            try:
                result = listener.call(event)
                if inspect.isawaitable(result):
                    # A sync function that returned a coroutine: run it to completion here.
                    asyncio.run(_await(result))
            except Exception as exc:
                self._failed(listener, event, exc)

    async def _run_async(self, listener: Listener, event: Event) -> None:
        try:
            result = listener.call(event)
            if inspect.isawaitable(result):
                await result
        except Exception as exc:
            self._failed(listener, event, exc)

    def _failed(self, listener: Listener, event: Event, exc: BaseException) -> None:
        name = getattr(listener.fn, "__qualname__", repr(listener.fn))
        log.error(
            "callback %s for %r of widget %r raised", name, event.name, event.label, exc_info=exc
        )
        try:
            self._report(event, exc)
        except Exception:  # reporting must never take the server down
            log.debug("could not report a callback error to the page", exc_info=True)

    def shutdown(self, *, wait: bool = True, timeout: float = 5.0) -> None:
        """Stop taking calls; with ``wait``, let running ones finish (bounded). Idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
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


async def _await(awaitable: Any) -> Any:
    return await awaitable
