"""Cancellation that redis-py may swallow, made to stick."""

from __future__ import annotations

import asyncio

__all__ = ["stop_if_cancelled"]


def stop_if_cancelled() -> None:
    """Raise ``CancelledError`` if the running task was asked to stop.

    A cancellation that lands while one of redis-py's own read timeouts fires can be taken
    for that timeout: the read returns as if nothing happened. A loop that reads again then
    keeps a stopping worker waiting for ever; the reading loops call this after each read.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError
