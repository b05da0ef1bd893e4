"""A page's event running on a worker is kept in Redis until its callbacks finish; a live
worker runs again what a dead one was running (execution at least once across a crash),
and nothing of a live worker's, or anything that finished."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conftest import run_async
from pywry.domain.events import Event


def relays(redis_url: str, prefix: str, **options: Any) -> Any:
    from redis.asyncio import Redis

    from pywry.adapters.redis import Keys, RedisRelay

    def make(worker: str) -> RedisRelay:
        return RedisRelay(
            redis=Redis.from_url(redis_url), keys=Keys(prefix), worker_id=worker, **options
        )

    return make


def event(n: int) -> Event:
    # With bytes in it, as a page's binary values arrive: they stay bytes in Redis.
    return Event("app:save", {"n": n, "blob": bytes([n, 0, 255])}, "w", "tab-1", None)


@pytest.mark.timeout(30)
def test_what_a_dead_worker_was_running_runs_again_on_a_live_one(redis_url, redis_prefix):
    make = relays(redis_url, redis_prefix, alive_ttl=3)

    async def scene() -> list[Any]:
        dead, live = make("dead"), make("live")
        tokens = [await dead.running(event(n)) for n in range(3)]  # never beats: dead
        assert all(tokens)
        dead.finished(tokens[1])  # this one ran to its end
        await asyncio.sleep(0)  # a turn for the fire-and-forget delete
        await asyncio.gather(*asyncio.all_tasks() - {asyncio.current_task()})
        again: list[Event] = []
        rerun = asyncio.Event()

        def on_event(evt: Event) -> None:
            again.append(evt)
            if len(again) == 2:
                rerun.set()

        await live.start(on_event=on_event, on_response=lambda *a: None, local_pages=dict)
        await asyncio.wait_for(rerun.wait(), 10)
        await live.stop()
        return again

    again = run_async(scene(), timeout=20)
    assert sorted(e.data["n"] for e in again) == [0, 2]
    assert all(e.data["blob"] == bytes([e.data["n"], 0, 255]) for e in again)
    assert {(e.label, e.page_id, e.name) for e in again} == {("w", "tab-1", "app:save")}


@pytest.mark.timeout(30)
def test_a_live_workers_runs_are_left_to_it_and_taken_once(redis_url, redis_prefix):
    make = relays(redis_url, redis_prefix, alive_ttl=3)

    async def scene() -> tuple[list[Event], list[Event]]:
        busy, other = make("busy"), make("other")
        heard: list[Event] = []
        await busy.start(on_event=heard.append, on_response=lambda *a: None, local_pages=dict)
        await busy.running(event(1))  # runs on a live worker
        seen: list[Event] = []
        beat = asyncio.Event()

        def counting() -> dict[str, int]:
            beat.set()  # the other worker reported: it looked for dead workers' runs too
            return {}

        await other.start(on_event=seen.append, on_response=lambda *a: None, local_pages=counting)
        await asyncio.wait_for(beat.wait(), 5)
        beat.clear()
        await asyncio.wait_for(beat.wait(), 5)  # a whole beat later, still nothing taken
        await other.stop()
        await busy.stop()
        return heard, seen

    heard, seen = run_async(scene(), timeout=20)
    assert (heard, seen) == ([], [])


@pytest.mark.timeout(30)
def test_a_worker_named_in_the_settings_runs_what_its_earlier_life_was_running(
    redis_url, redis_prefix
):
    make = relays(redis_url, redis_prefix, alive_ttl=3)

    async def scene() -> list[Event]:
        earlier = make("fixed-name")
        await earlier.running(event(5))  # then the process died
        again: list[Event] = []
        later = make("fixed-name")
        await later.start(on_event=again.append, on_response=lambda *a: None, local_pages=dict)
        await later.stop()
        return again

    assert [e.data for e in run_async(scene(), timeout=20)] == [event(5).data]
