"""The queue from the script's threads to the hub: in order, one wake-up per burst."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from typing import Any

from conftest import run_async
from pywry.app.inbox import Drop, Emit, Inbox
from pywry.domain.ports import EventLoop


class CountingLoop(EventLoop):
    """Runs nothing by itself: counts the wake-ups asked for, runs them on request."""

    def __init__(self) -> None:
        self.calls: list[tuple[Callable[..., Any], tuple[Any, ...]]] = []

    @property
    def running(self) -> bool:
        return True

    def in_loop(self) -> bool:
        return False

    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        self.calls.append((fn, args))

    def run(self, coro: Any, *, timeout: float | None = 30.0) -> Any:
        raise NotImplementedError


def test_a_burst_of_puts_asks_for_one_wake_up_and_is_taken_in_order():
    loop = CountingLoop()
    inbox = Inbox(loop)
    for k in range(100):
        inbox.put(Emit("w", str(k).encode()))
    assert len(loop.calls) == 1
    assert [c.body for c in inbox.take()] == [str(k).encode() for k in range(100)]  # type: ignore[union-attr]


def test_a_put_after_a_take_began_wakes_the_loop_again():
    loop = CountingLoop()
    inbox = Inbox(loop)
    inbox.put(Emit("w", b"1"))
    taking = inbox.take()
    assert next(taking).body == b"1"  # type: ignore[union-attr]
    inbox.put(Emit("w", b"2"))  # the take may be past its last item: wake again
    assert len(loop.calls) == 2
    assert list(taking) == []  # a take covers what was queued when it began
    assert [c.body for c in inbox.take()] == [b"2"]  # type: ignore[union-attr]


def test_what_threads_put_meanwhile_is_all_taken_across_wake_ups():
    async def scene() -> list[bytes]:
        from pywry.app.loop import HostLoop

        loop = HostLoop()
        loop.attach()
        inbox = Inbox(loop)
        got: list[bytes] = []
        all_taken = asyncio.Event()

        def consume() -> None:
            got.extend(c.body for c in inbox.take())  # type: ignore[union-attr]
            if len(got) == 4000:
                all_taken.set()

        inbox.open(consume)

        def produce(name: str) -> None:
            for k in range(2000):
                inbox.put(Emit("w", f"{name}{k}".encode()))

        threads = [threading.Thread(target=produce, args=(n,)) for n in "ab"]
        for thread in threads:
            thread.start()
        await asyncio.wait_for(all_taken.wait(), 5)
        for thread in threads:
            thread.join()
        loop.detach()
        return got

    got = run_async(scene())
    for name in "ab":  # each thread's commands in the order it put them
        assert [g for g in got if g.startswith(name.encode())] == [
            f"{name}{k}".encode() for k in range(2000)
        ]


def test_a_take_can_stop_at_the_first_command_that_is_not_wanted():
    inbox = Inbox(CountingLoop())
    for command in (Emit("w", b"1"), Emit("w", b"2"), Drop("w", 1012), Emit("w", b"3")):
        inbox.put(command)
    taken = list(inbox.take(while_=lambda c: isinstance(c, Emit)))
    assert [c.body for c in taken] == [b"1", b"2"]  # type: ignore[union-attr]
    assert inbox.pending
