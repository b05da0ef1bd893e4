"""Cancellation that redis-py may swallow, made to stick."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Any

__all__ = ["halt", "stop_if_cancelled"]

_AGAIN_AFTER = 0.25  # seconds a cancelled task may take before it is cancelled again


def stop_if_cancelled() -> None:
    """Raise ``CancelledError`` if the running task was asked to stop.

    A cancellation that lands while one of redis-py's own read timeouts fires can be taken
    for that timeout: the read returns as if nothing happened. A loop that reads again then
    keeps a stopping worker waiting for ever; the reading loops call this after each read.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


async def halt(tasks: Iterable[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until each has ended, cancelling again those that did not.

    redis-py can absorb a cancellation whole (its command timeouts take it as their own), so
    one ``cancel()`` is not always the end of a loop that talks to Redis.
    """
    pending = set(tasks)
    while pending:
        for task in pending:
            task.cancel()
        _, pending = await asyncio.wait(pending, timeout=_AGAIN_AFTER)
