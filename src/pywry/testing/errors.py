"""What a test learns of its widgets' failures: refusals, rejected calls, callback errors."""

from __future__ import annotations

import threading

from ..app.listeners import CallbackFailure

__all__ = ["CallRejected", "CallbackErrors", "CallbackFailure", "PageRefused"]


class PageRefused(Exception):
    """The app refused the simulated page (the same reasons a real page is refused for)."""

    def __init__(self, code: int, error: str, message: str) -> None:
        super().__init__(f"{error} ({code}): {message}")
        self.code = code
        self.error = error


class CallRejected(Exception):
    """Python's answer to :meth:`FakePage.call` was an error (a page's promise rejects).

    ``error_type`` is the exception's type name (``LookupError`` when no callback listens).
    """

    def __init__(self, event: str, error_type: str, message: str) -> None:
        super().__init__(f"call of {event!r} failed: {error_type}: {message}")
        self.event = event
        self.error_type = error_type
        self.message = message


class CallbackErrors:
    """Records every callback that raised, for the test to raise or look at.

    An app built by :func:`~pywry.testing.app_with_fakes` tells one of these of each
    failure (besides logging it and sending ``pywry:error`` to the pages, as always). A call's
    callee that raised is not recorded: its caller got the error as its answer.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._failures: list[CallbackFailure] = []

    def __call__(self, failure: CallbackFailure) -> None:
        with self._lock:
            self._failures.append(failure)

    @property
    def failures(self) -> list[CallbackFailure]:
        """The failures recorded and not taken yet, oldest first."""
        with self._lock:
            return list(self._failures)

    def take(self) -> list[CallbackFailure]:
        """The failures not taken yet, oldest first; they are forgotten."""
        with self._lock:
            taken, self._failures = self._failures, []
        return taken

    def raise_first(self) -> None:
        """Take the failures; raise the first one's exception (noted with where it came from)."""
        taken = self.take()
        if taken:
            raise noted(taken[0], len(taken) - 1)


def noted(failure: CallbackFailure, others: int = 0) -> Exception:
    """The failure's exception, with a note naming the callback, event and widget.

    A callback's ``SystemExit`` or ``KeyboardInterrupt`` comes wrapped in a ``RuntimeError``:
    raised as it is, it would stop the test run rather than fail one test.
    """
    error = failure.error
    if not isinstance(error, Exception):
        wrapped = RuntimeError(f"a callback raised {type(error).__name__}({error})")
        wrapped.__cause__ = error
        error = wrapped
    note = (
        f"raised by callback {failure.callback} for {failure.event.name!r} of widget "
        f"{failure.event.label!r}"
    )
    if others:
        note += f" ({others} more callback error{'s' if others > 1 else ''} after it)"
    if note not in getattr(error, "__notes__", ()):
        error.add_note(note)
    return error
