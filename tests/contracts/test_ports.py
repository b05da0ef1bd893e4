"""One contract per port, run against every adapter of it.

The memory adapters are what one process uses; deploy mode's Redis adapters must pass the
same tests (they join the ``params`` lists). Each test says what any implementation must
do, not how one does it.
"""

from __future__ import annotations

from typing import Any

import pytest
from ports_kit import ADAPTERS, redis_adapter, run

from pywry.adapters.memory import MemoryInboundLedger, MemoryWidgetStore
from pywry.domain.ports import InboundLedger, WidgetStore
from pywry.domain.widget import Surround, Widget


# ------------------------------------------------------------------ widget store
@pytest.fixture(params=ADAPTERS)
def store(request: pytest.FixtureRequest) -> WidgetStore:
    if request.param == "memory":
        return MemoryWidgetStore()
    from pywry.adapters.redis import RedisWidgetStore

    client, keys = redis_adapter(request)
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


# ------------------------------------------------------------------ inbound ledger
@pytest.fixture(params=ADAPTERS)
def ledger(request: pytest.FixtureRequest) -> InboundLedger:
    if request.param == "memory":
        return MemoryInboundLedger(max_pages=4)
    from pywry.adapters.redis import RedisInboundLedger

    client, keys = redis_adapter(request)
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
