"""Granian's native threads, which stop waits for.

Granian 2.8 can abort the interpreter when the process exits while its native threads still
run, and its ``stop`` returns before they have exited. They are not Python threads, so they
are found as the kernel's thread ids of this process that no Python thread has.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

__all__ = ["python_thread_ids", "task_ids", "wait_threads_exit"]

_THREADS_TIMEOUT = 5.0  # seconds Granian's native threads get to exit after serve() returned
_THREADS_QUIET = 0.2  # no thread exited for this long: the rest are not Granian's
_TASKS = Path("/proc/self/task")


def task_ids() -> frozenset[str]:
    """The kernel thread ids of this process (empty where ``/proc`` is not available)."""
    try:
        return frozenset(os.listdir(_TASKS))
    except OSError:
        return frozenset()


def python_thread_ids() -> frozenset[str]:
    """The kernel thread ids of this process's Python threads."""
    # Dummy threads are native threads that merely touched ``threading``: Granian's can be.
    return frozenset(
        str(t.native_id)
        for t in threading.enumerate()
        if not isinstance(t, threading._DummyThread) and t.native_id is not None
    )


def wait_threads_exit(threads: frozenset[str]) -> None:
    """Wait until ``threads`` exit, or none has exited for a while (those are someone else's)."""
    alive = threads
    deadline = time.monotonic() + _THREADS_TIMEOUT
    quiet_until = time.monotonic() + _THREADS_QUIET
    while alive:
        still = alive & task_ids()
        now = time.monotonic()
        if still != alive:
            alive, quiet_until = still, now + _THREADS_QUIET
        if not alive or now >= min(deadline, quiet_until):
            break
        time.sleep(0.001)  # nothing to await: a thread's exit is only visible in /proc
