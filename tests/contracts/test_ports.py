"""One contract per port, run against every adapter of it.

The memory adapters are what one process uses; deploy mode's Redis adapters must pass the
same tests (they join the ``params`` lists). Each test says what any implementation must
do, not how one does it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from conftest import run_async
from pywry.adapters.memory import MemoryEventBus, MemoryInboundLedger, MemoryWidgetStore
from pywry.app.frames import encode_body
from pywry.domain.ports import Body, EventBus, FrameListener, InboundLedger, WidgetStore
from pywry.domain.widget import Surround, Widget

ADAPTERS = ["memory", "redis"]


def _redis(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """A Redis client factory and the key names of this test (a prefix of its own)."""
    from redis.asyncio import Redis

    from pywry.adapters.redis import Keys

    url = request.getfixturevalue("redis_url")
    keys = Keys(request.getfixturevalue("redis_prefix"))
    return (lambda: Redis.from_url(url)), keys


def run(coro: Any) -> Any:
    return run_async(asyncio.wait_for(coro, 10), timeout=15)


# ------------------------------------------------------------------ widget store
@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest) -> WidgetStore:
    if request.param == "memory":
        return MemoryWidgetStore()
    from pywry.adapters.redis import RedisWidgetStore

    client, keys = _redis(request)
    return RedisWidgetStore(redis=client(), keys=keys)


def test_a_store_gives_back_what_was_saved_token_and_revision_included(store):
    widget = Widget(label="w", html="<p>1</p>", title="T")

    async def scene() -> Widget | None:
        await store.save(widget)
        return await store.get("w")

    got = run(scene())
    assert got is not None
    assert (got.label, got.html, got.title, got.revision) == ("w", "<p>1</p>", "T", 1)
    assert got.token == widget.token


def test_a_store_gives_back_sizes_as_pixels_or_css_lengths(store):
    async def scene() -> tuple[Widget | None, Widget | None]:
        await store.save(Widget(label="px", html="", width=640, height=480))
        await store.save(Widget(label="css", html="", width="100%", height="60vh"))
        return await store.get("px"), await store.get("css")

    pixels, css = run(scene())
    assert pixels is not None
    assert (pixels.width, pixels.height) == (640, 480)
    assert css is not None
    assert (css.width, css.height) == ("100%", "60vh")


def test_a_store_keeps_the_newest_revision_and_the_order_labels_were_first_saved(store):
    first = Widget(label="a", html="1")

    async def scene() -> tuple[Widget | None, list[str]]:
        await store.save(first)
        await store.save(Widget(label="b", html="2"))
        await store.save(first.revised(html="3"))
        return await store.get("a"), await store.labels()

    newest, labels = run(scene())
    assert newest is not None
    assert (newest.html, newest.revision) == ("3", 2)
    assert labels == ["a", "b"]


def test_a_store_deletes_once_and_then_knows_nothing_of_the_widget(store):
    async def scene() -> tuple[bool, bool, Widget | None, list[str]]:
        await store.save(Widget(label="w", html="x"))
        return (
            await store.delete("w"),
            await store.delete("w"),
            await store.get("w"),
            (await store.labels()),
        )

    assert run(scene()) == (True, False, None, [])


def test_a_store_remembers_that_a_page_saw_a_widget_until_the_widget_goes(store):
    async def scene() -> list[bool]:
        await store.mark_seen("ghost")  # no such widget: nothing to remember
        await store.save(Widget(label="w", html="x"))
        seen = [await store.seen("ghost"), await store.seen("w")]
        await store.mark_seen("w")
        await store.save(Widget(label="w", html="y"))  # new content: still seen
        seen.append(await store.seen("w"))
        await store.delete("w")
        await store.save(Widget(label="w", html="z"))  # a new widget of the same label
        return [*seen, await store.seen("w")]

    assert run(scene()) == [False, False, True, False]


def test_a_store_keeps_a_widgets_drawn_components_and_its_theme_switches(store):
    drawn = Surround(above="<nav>top</nav>", modals="<div>m</div>", assets="<style></style>")
    widget = Widget(label="w", html="x", surround=drawn)

    async def scene() -> list[Widget | None]:
        await store.save(widget)
        fresh = await store.get("w")
        await store.save(widget.themed("light"))  # a switch keeps the revision
        switched = await store.get("w")
        assert switched is not None
        await store.save(switched.revised(html="y"))  # new content keeps both
        return [fresh, switched, await store.get("w")]

    fresh, switched, updated = run(scene())
    assert fresh is not None
    assert switched is not None
    assert updated is not None
    assert (fresh.surround, fresh.theme) == (drawn, None)
    assert (switched.theme, switched.revision, switched.html) == ("light", 1, "x")
    assert (updated.html, updated.theme, updated.surround) == ("y", "light", drawn)


# ------------------------------------------------------------------ event bus
@pytest.fixture(params=ADAPTERS)
def make_bus(request: pytest.FixtureRequest) -> Callable[..., EventBus]:
    if request.param == "memory":
        return MemoryEventBus
    from pywry.adapters.redis import RedisEventBus

    client, keys = _redis(request)
    return lambda **kwargs: RedisEventBus(redis=client(), keys=keys, **kwargs)


def one_by_one(hear: Callable[[int, bytes], None]) -> FrameListener:
    """A bus listener that takes the events handed over together one at a time."""

    def listener(seq: int, bodies: Sequence[Body]) -> None:
        for number, body in enumerate(bodies, seq):
            hear(number, bytes(body))

    return listener


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
        first: list[tuple[int, bytes]] = []
        second: list[tuple[int, bytes]] = []
        all_heard = asyncio.Event()  # delivered on the loop, maybe after publish returned

        def hearing(into: list[tuple[int, bytes]]) -> Callable[[int, bytes], None]:
            def hear(seq: int, body: bytes) -> None:
                into.append((seq, body))
                if len(first) == len(second) == 5:
                    all_heard.set()

            return hear

        await bus.subscribe("w", one_by_one(hearing(first)))
        await bus.subscribe("w", one_by_one(hearing(second)))
        for k in range(5):
            numbered = bus.publish("w", f"e{k}".encode())  # not awaited one by one: in order
        await numbered
        await all_heard.wait()
        await bus.stop()
        return first, second

    first, second = run(scene())
    expected = [(seq, f"e{seq - 2}".encode()) for seq in range(2, 7)]
    assert first == expected
    assert second == expected


def test_events_published_together_are_numbered_in_a_row_and_heard_in_order(make_bus):
    async def scene() -> tuple[int, int, list[tuple[int, bytes]]]:
        bus = make_bus()
        await bus.start()
        await bus.publish("w", b"first")
        heard: list[tuple[int, bytes]] = []
        five = asyncio.Event()

        def hear(seq: int, body: bytes) -> None:
            heard.append((seq, body))
            if seq == 5:
                five.set()

        await bus.subscribe("w", one_by_one(hear))
        last = await bus.publish("w", b"a", b"b", b"c")
        after = await bus.publish("w", b"d")
        await five.wait()
        await bus.stop()
        return last, after, heard

    last, after, heard = run(scene())
    assert (last, after) == (4, 5)  # the future gives the number of the last one
    assert heard == [(2, b"a"), (3, b"b"), (4, b"c"), (5, b"d")]


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
        gone: list[int] = []
        staying: list[int] = []
        heard_two = asyncio.Event()

        def stay(seq: int, body: bytes) -> None:
            staying.append(seq)
            if seq == 2:
                heard_two.set()

        unsubscribe = await bus.subscribe("w", one_by_one(lambda seq, body: gone.append(seq)))
        await bus.subscribe("w", one_by_one(stay))
        await bus.publish("w", b"1")
        await unsubscribe()
        await bus.publish("w", b"2")
        await heard_two.wait()  # delivered by now to whoever still listens
        await bus.stop()
        return gone, staying

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
        heard: list[tuple[int, bytes]] = []
        four = asyncio.Event()

        def hear(seq: int, body: bytes) -> None:
            heard.append((seq, body))
            if seq == 4:
                four.set()

        await bus.subscribe("w", one_by_one(hear), after=1)
        await bus.publish("w", b"e4")
        await four.wait()
        await bus.stop()
        return heard

    assert run(scene()) == [(2, b"e2"), (3, b"e3"), (4, b"e4")]


def test_a_bus_starts_and_stops_idempotently(make_bus):
    async def scene() -> None:
        bus = make_bus()
        await bus.start()
        await bus.start()
        await bus.stop()
        await bus.stop()

    run(scene())


# ------------------------------------------------------------------ inbound ledger
@pytest.fixture(params=ADAPTERS)
def ledger(request: pytest.FixtureRequest) -> InboundLedger:
    if request.param == "memory":
        return MemoryInboundLedger(max_pages=4)
    from pywry.adapters.redis import RedisInboundLedger

    client, keys = _redis(request)
    return RedisInboundLedger(redis=client(), keys=keys)


def test_a_ledger_takes_each_frame_of_a_page_once_and_in_order(ledger):
    async def scene() -> list[Any]:
        return [
            await ledger.last("w", "p"),
            await ledger.accept("w", "p", 1),
            await ledger.accept("w", "p", 2),
            await ledger.accept("w", "p", 2),
            await ledger.accept("w", "p", 1),
            await ledger.last("w", "p"),
        ]

    assert run(scene()) == [0, True, True, False, False, 2]


def test_a_ledger_keeps_pages_and_widgets_apart(ledger):
    async def scene() -> list[Any]:
        await ledger.accept("w", "p", 5)
        return [
            await ledger.last("w", "q"),
            await ledger.last("v", "p"),
            await ledger.accept("v", "p", 1),
        ]

    assert run(scene()) == [0, 0, True]


def test_a_forgotten_widgets_pages_start_over(ledger):
    async def scene() -> list[Any]:
        await ledger.accept("w", "p", 5)
        await ledger.forget("w")
        await ledger.forget("w")  # idempotent
        return [await ledger.last("w", "p"), await ledger.accept("w", "p", 1)]

    assert run(scene()) == [0, True]
