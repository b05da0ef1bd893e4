"""The contract of the event bus, run against every adapter of it (see ``test_ports.py``)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest
from ports_kit import ADAPTERS, redis_adapter, run

from pywry.adapters.memory import MemoryEventBus
from pywry.app.frames import encode_body
from pywry.domain.ports import Body, EventBus


# ------------------------------------------------------------------ event bus
@pytest.fixture(params=ADAPTERS)
def make_bus(request: pytest.FixtureRequest) -> Callable[..., EventBus]:
    if request.param == "memory":
        return MemoryEventBus
    from pywry.adapters.redis import RedisEventBus

    client, keys = redis_adapter(request)
    return lambda **kwargs: RedisEventBus(redis=client(), keys=keys, **kwargs)


class Heard:
    """A bus listener that keeps each event it hears, as (number, bytes), in order.

    Events handed over together are kept one by one. Delivery may come after ``publish``
    returned: :meth:`until` waits for a number.
    """

    def __init__(self) -> None:
        self.events: list[tuple[int, bytes]] = []
        self._more = asyncio.Event()

    def __call__(self, seq: int, bodies: Sequence[Body]) -> None:
        self.events.extend((number, bytes(body)) for number, body in enumerate(bodies, seq))
        self._more.set()

    @property
    def numbers(self) -> list[int]:
        return [seq for seq, _ in self.events]

    async def until(self, seq: int) -> None:
        """Wait until the event numbered ``seq`` (or a later one) was heard."""
        while not self.events or self.events[-1][0] < seq:
            self._more.clear()
            await self._more.wait()


def test_a_bus_numbers_each_widgets_events_one_two_three_in_publish_order(make_bus):
    async def scene() -> tuple[list[int], list[int]]:
        bus = make_bus()
        await bus.start()
        a = [await bus.publish("a", f"a{k}".encode()) for k in range(3)]
        b = [await bus.publish("b", b"b")]
        await bus.stop()
        return a, b

    assert run(scene()) == ([1, 2, 3], [1])


def test_every_subscriber_gets_every_event_after_it_subscribed_in_order(make_bus):
    async def scene() -> tuple[list[tuple[int, bytes]], list[tuple[int, bytes]]]:
        bus = make_bus()
        await bus.start()
        await bus.publish("w", b"before")
        first, second = Heard(), Heard()
        await bus.subscribe("w", first)
        await bus.subscribe("w", second)
        for k in range(5):
            numbered = bus.publish("w", f"e{k}".encode())  # not awaited one by one: in order
        await numbered
        await first.until(6)
        await second.until(6)
        await bus.stop()
        return first.events, second.events

    first, second = run(scene())
    expected = [(seq, f"e{seq - 2}".encode()) for seq in range(2, 7)]
    assert first == expected
    assert second == expected


def test_events_published_together_are_numbered_in_a_row_and_heard_in_order(make_bus):
    async def scene() -> tuple[int, int, list[tuple[int, bytes]]]:
        bus = make_bus()
        await bus.start()
        await bus.publish("w", b"first")
        heard = Heard()
        await bus.subscribe("w", heard)
        last = await bus.publish("w", b"a", b"b", b"c")
        after = await bus.publish("w", b"d")
        await heard.until(5)
        await bus.stop()
        return last, after, heard.events

    last, after, heard = run(scene())
    assert (last, after) == (4, 5)  # the future gives the number of the last one
    assert heard == [(2, b"a"), (3, b"b"), (4, b"c"), (5, b"d")]


def test_publishing_nothing_is_refused_where_it_is_asked(make_bus):
    async def scene() -> None:
        bus = make_bus()
        await bus.start()
        try:
            with pytest.raises(ValueError, match="at least one"):
                bus.publish("w")
        finally:
            await bus.stop()

    run(scene())


def test_a_long_run_with_a_large_event_in_it_is_numbered_and_kept_whole(make_bus):
    # Longer and larger than one call of a shared bus carries: it cuts the run, in order.
    bodies = [f"e{k}".encode() for k in range(2500)]
    bodies[1200] = b"x" * (5 << 20)

    async def scene() -> tuple[int, list[tuple[int, bytes]]]:
        bus = make_bus()
        await bus.start()
        last = await bus.publish("w", *bodies)
        kept = await bus.history("w", 0, 3000)
        await bus.stop()
        return last, [(seq, bytes(body)) for seq, body in kept]

    last, kept = run(scene())
    assert last == 2500
    assert kept == list(enumerate(bodies, 1))


def test_a_bus_carries_bodies_byte_for_byte_binary_values_included(make_bus):
    body = encode_body("app:img", {"png": bytes(range(256)) * 4, "n": 1})

    async def scene() -> list[tuple[int, bytes]]:
        bus = make_bus()
        await bus.start()
        await bus.publish("w", body)
        kept = await bus.history("w", 0, 10)
        await bus.stop()
        return [(seq, bytes(kept_body)) for seq, kept_body in kept]

    assert run(scene()) == [(1, bytes(body))]  # kept as it is, or as its wire form


def test_an_unsubscribed_listener_hears_nothing_more(make_bus):
    async def scene() -> tuple[list[int], list[int]]:
        bus = make_bus()
        await bus.start()
        gone, staying = Heard(), Heard()
        unsubscribe = await bus.subscribe("w", gone)
        await bus.subscribe("w", staying)
        await bus.publish("w", b"1")
        await unsubscribe()
        await bus.publish("w", b"2")
        await staying.until(2)  # delivered by now to whoever still listens
        await bus.stop()
        return gone.numbers, staying.numbers

    assert run(scene()) == ([1], [1, 2])


def test_history_gives_what_followed_a_number_bounded_by_count_and_bytes(make_bus):
    async def scene() -> tuple[list[Any], list[Any], list[Any], list[Any]]:
        bus = make_bus(history_frames=3, history_bytes=1000)
        await bus.start()
        for k in range(1, 6):
            await bus.publish("w", f"e{k}".encode())
        kept = await bus.history("w", 0, 100)
        after = await bus.history("w", 3, 100)
        limited = await bus.history("w", 0, 1)
        unknown = await bus.history("nobody", 0, 100)
        await bus.stop()
        return kept, after, limited, unknown

    kept, after, limited, unknown = run(scene())
    assert kept == [(3, b"e3"), (4, b"e4"), (5, b"e5")]
    assert after == [(4, b"e4"), (5, b"e5")]
    assert limited == [(3, b"e3")]
    assert unknown == []


def test_a_forgotten_widget_numbers_from_one_again_with_no_history(make_bus):
    async def scene() -> tuple[int, list[Any]]:
        bus = make_bus()
        await bus.start()
        await bus.publish("w", b"old")
        await bus.forget("w")
        await bus.forget("w")  # idempotent
        seq = await bus.publish("w", b"new")
        history = await bus.history("w", 0, 10)
        await bus.stop()
        return seq, history

    assert run(scene()) == (1, [(1, b"new")])


def test_a_subscriber_that_asks_for_the_past_gets_what_is_kept_then_what_comes(make_bus):
    async def scene() -> list[tuple[int, bytes]]:
        bus = make_bus()
        await bus.start()
        for k in range(1, 4):
            await bus.publish("w", f"e{k}".encode())
        heard = Heard()
        await bus.subscribe("w", heard, after=1)
        await bus.publish("w", b"e4")
        await heard.until(4)
        await bus.stop()
        return heard.events

    assert run(scene()) == [(2, b"e2"), (3, b"e3"), (4, b"e4")]


def test_a_bus_starts_and_stops_idempotently(make_bus):
    async def scene() -> None:
        bus = make_bus()
        await bus.start()
        await bus.start()
        await bus.stop()
        await bus.stop()

    run(scene())
