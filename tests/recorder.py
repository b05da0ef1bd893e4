"""A callback for tests: records what it gets, thread-safe, and can be waited on."""

from __future__ import annotations

import threading
from typing import Any


class Recorder:
    """Pass it as a callback; ``wait_for(n)`` returns once ``n`` calls have arrived."""

    def __init__(self) -> None:
        self.items: list[Any] = []
        self._cond = threading.Condition()

    def __call__(self, data: Any) -> None:
        with self._cond:
            self.items.append(data)
            self._cond.notify_all()

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Any]:
        with self._cond:
            if not self._cond.wait_for(lambda: len(self.items) >= count, timeout):
                raise AssertionError(f"got {len(self.items)} of {count} within {timeout} s")
            return list(self.items)
