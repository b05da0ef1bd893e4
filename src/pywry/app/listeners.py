"""Listeners: which callback listens to which events, and how it is called.

A callback may take ``(data)``, ``(data, event_type)`` or ``(data, event_type, label)``;
it may be a plain function or ``async def``. Where it runs is fixed when it is registered
(see :mod:`pywry.app.callbacks`): ``async def`` on the loop, a plain function on a worker
thread unless registered with ``sync_to_thread=False``.
"""

from __future__ import annotations

import inspect
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..domain.errors import InvalidArgumentError
from ..domain.events import Event, check_handler_pattern, matches

__all__ = [
    "Callback",
    "CallbackFailure",
    "CallbackTable",
    "ErrorReporter",
    "FailureObserver",
    "Listener",
    "Replier",
    "adapt",
]

MATCHES_KEPT = 1024  # (widget, event name) pairs whose listeners are remembered

Callback = Callable[..., Any]
ErrorReporter = Callable[[Event, BaseException], None]
# Answers a page's call: (the call, the callee's value, or what it raised instead).
Replier = Callable[[Event, Any, BaseException | None], None]


@dataclass(frozen=True, slots=True)
class CallbackFailure:
    """A callback raised, and no caller got it as its answer: it went to the log and the page."""

    callback: str  # the callback's name
    event: Event
    error: BaseException


# Told of every CallbackFailure (a test kit's recorder; nothing by default).
FailureObserver = Callable[[CallbackFailure], None]


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
    on_loop: bool  # runs on the event loop: an async one, or a sync one asked to

    def call(self, event: Event) -> Any:
        return self.fn(*(event.data, event.name, event.label)[: self.arity])

    @property
    def name(self) -> str:
        return str(getattr(self.fn, "__qualname__", repr(self.fn)))


def adapt(
    pattern: str, fn: Callback, label: str | None = None, *, sync_to_thread: bool = True
) -> Listener:
    """Check ``pattern`` and ``fn`` and make a :class:`Listener` of them.

    ``sync_to_thread=False`` runs a plain function on the event loop instead of a worker
    thread (``async def`` callbacks always run there).
    """
    check_handler_pattern(pattern)
    if not callable(fn):
        raise InvalidArgumentError(
            f"callback for {pattern!r} must be callable, got {type(fn).__name__}"
        )
    if not isinstance(sync_to_thread, bool):
        raise InvalidArgumentError(f"sync_to_thread must be True or False, got {sync_to_thread!r}")
    is_async = _is_async(fn)
    return Listener(
        pattern, label, fn, _positional_arity(fn), is_async, is_async or not sync_to_thread
    )


class CallbackTable:
    """The listeners, readable from the loop without a lock (copy on write)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._listeners: tuple[Listener, ...] = ()
        # Who listens to (label, name), worked out once: a page sends the same few events
        # over and over. Replaced (never changed in place) whenever the listeners change.
        self._matches: dict[tuple[str, str], tuple[Listener, ...]] = {}
        # The listeners each label's latest show() brought: showing the label again replaces
        # them (a re-run notebook cell must not call its callbacks twice).
        self._shown: dict[str, tuple[Listener, ...]] = {}

    def add(self, listener: Listener) -> None:
        with self._lock:
            self._listeners = (*self._listeners, listener)
            self._matches = {}

    def replace_shown(self, label: str, listeners: list[Listener]) -> None:
        """Put ``listeners`` in place of those the previous ``show()`` of ``label`` brought.

        One swap: an event handled meanwhile finds the old callbacks or the new ones, never
        both and never none. Listeners added another way (``on()``) stay.
        """
        with self._lock:
            old = {id(item) for item in self._shown.get(label, ())}
            kept = tuple(item for item in self._listeners if id(item) not in old)
            self._listeners = (*kept, *listeners)
            self._shown[label] = tuple(listeners)
            self._matches = {}

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
            self._matches = {}
        return removed

    def drop_label(self, label: str) -> None:
        with self._lock:
            self._listeners = tuple(item for item in self._listeners if item.label != label)
            self._shown.pop(label, None)
            self._matches = {}

    def for_event(self, event: Event) -> tuple[Listener, ...]:
        key = (event.label, event.name)
        # Read both once: a change in another thread swaps them, and a result worked out
        # from the old listeners then lands in the old cache, which nobody reads again.
        cache, listeners = self._matches, self._listeners
        found = cache.get(key)
        if found is None:
            found = tuple(
                item
                for item in listeners
                if (item.label is None or item.label == event.label)
                and matches(item.pattern, event.name)
            )
            if len(cache) >= MATCHES_KEPT:
                cache.clear()  # many distinct names: start over rather than grow
            cache[key] = found
        return found
