"""A worker that subscribes to a widget while its events keep coming misses none of them.

A worker that starts (or restarts) while a widget is busy reads the widget's past, and
meanwhile doorbells ring for what is being published. What a read started by a doorbell
hands over while the new listener is still getting the past must reach that listener too.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Any

import pytest

from conftest import run_async
from pywry.domain.ports import Body


@pytest.mark.timeout(30)
def test_events_published_while_a_subscriber_reads_the_past_reach_it_in_order(
    redis_url, redis_prefix
):
    from redis.asyncio import Redis

    from pywry.adapters.redis import Keys, RedisEventBus

    class PublishedMeanwhile(RedisEventBus):
        """The past travels slowly: more is published (and read) before it arrives."""

        async def history(self, label: str, after: int, limit: int) -> list[tuple[int, Body]]:
            past = await super().history(label, after, limit)
            if after == 0:
                await self.publish(label, b"late-1", b"late-2")
            return past

    async def scene() -> list[int]:
        keys = Keys(redis_prefix)
        bus = PublishedMeanwhile(redis=Redis.from_url(redis_url), keys=keys)
        await bus.start()
        heard: list[int] = []
        try:
            await bus.publish("w", b"e1", b"e2", b"e3")

            def hear(seq: int, bodies: Sequence[Body]) -> None:
                heard.extend(range(seq, seq + len(bodies)))

            await bus.subscribe("w", hear, after=0)
            await bus.catch_up("w")
        finally:
            await bus.stop()
        return heard

    heard: Any = run_async(asyncio.wait_for(scene(), 20), timeout=25)
    assert heard == [1, 2, 3, 4, 5]
