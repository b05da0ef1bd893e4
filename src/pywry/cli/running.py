"""Running a browser-mode app in the foreground for ``pywry show`` and ``pywry serve``.

The server keeps serving when pages close (a reload, a new tab, a page opened later all
work) and stops on Ctrl+C, SIGTERM, or when the app is destroyed (a callback may do it).
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .common import Exit

if TYPE_CHECKING:
    from ..app.facade import PyWry

__all__ = ["serve_until_stopped"]

_CHECK_EVERY = 0.5  # seconds between looks at whether a callback destroyed the app


def serve_until_stopped(app: PyWry, *, before_stop: Callable[[], None] | None = None) -> int:
    """Block until Ctrl+C, SIGTERM or the app's end; then stop it (pages are told)."""
    stop = threading.Event()

    def on_term(_signum: int, _frame: Any) -> None:
        stop.set()

    # Only the main thread may set a handler (main() run from another thread: Ctrl+C only).
    main = threading.current_thread() is threading.main_thread()
    previous = signal.signal(signal.SIGTERM, on_term) if main else None
    try:
        while not stop.wait(_CHECK_EVERY) and not app._destroyed:
            pass
    except KeyboardInterrupt:
        pass
    finally:
        if main:
            signal.signal(signal.SIGTERM, previous)
        try:
            if before_stop is not None:
                before_stop()
        finally:
            app.destroy()
    return Exit.OK
