"""The event bus in Redis: one numbered stream per widget, shared by every worker.

Publishing runs one Lua script per run of events (``event_log.py``): the widget's counter
(``HINCRBY``) gives the next numbers, each body goes into the widget's stream under its
number as its explicit id (``<seq>-0``), and one doorbell (``PUBLISH`` of the last number
alone) tells every worker that there is more. Ids are contiguous, so a worker always knows
whether it has everything: it reads ``XRANGE (last +`` when its doorbell rings, and a
pub/sub message lost while Redis was away only delays delivery (a worker catches up on
every reconnect and every few seconds). The counter lives in a hash beside the stream;
when both are lost (Redis lost its data) numbering starts over, the stream is cleared, and
pages that were further on resynchronise instead of silently missing events.

Publishes go out in the order of the calls: one writer task sends them, pipelined.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

from ...domain.errors import ServerError
from ...domain.ports import Body, EventBus, FrameListener, ResetListener, Unsubscribe
from .cancelling import halt, stop_if_cancelled
from .event_log import APPEND, calls, entries, number, runs
from .keys import Keys

__all__ = ["RedisEventBus"]

log = logging.getLogger("pywry.bus")

_CATCH_UP_EVERY = 5.0  # seconds between catch-ups without a doorbell (lost doorbells)
MAX_WAITING = 100_000  # events kept while Redis is away; past it, emits are refused
_READ_BATCH = 1000  # stream entries read per XRANGE

_Publish = tuple[str, tuple[Body, ...], asyncio.Future[int]]  # label, bodies, the last's number


@dataclass(slots=True)
class _Subscription:
    listeners: list[FrameListener] = field(default_factory=list)
    resets: list[ResetListener] = field(default_factory=list)
    last: int = 0  # the last number handed to the listeners
    epoch: bytes | None = None  # the log those numbers belong to
    reading: bool = False
    again: bool = False
    read: asyncio.Event = field(default_factory=asyncio.Event)  # set when no read is under way


class RedisEventBus(EventBus):
    """The :class:`EventBus` port on Redis (see the module's docstring).

    ``max_waiting``: events kept while Redis is away; past it, emits are refused (a worker's
    memory bounds how long an outage it can bridge).
    """

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        history_frames: int = 10_000,
        history_bytes: int = 0,
        max_waiting: int = MAX_WAITING,
    ) -> None:
        # history_bytes is not enforced in Redis (its memory is the deployment's to size);
        # each process's replay buffer still bounds by bytes what it keeps for its pages.
        self._client = redis
        self._keys = keys
        self._history = history_frames
        self._max_waiting = max_waiting
        self._redis: Redis | None = None  # while started
        self._subs: dict[str, _Subscription] = {}
        self._queue: asyncio.Queue[_Publish] | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._pubsub: Any = None
        self._subscribing: asyncio.Lock | None = None  # one (un)subscribe at a time
        self._reading: set[asyncio.Task[None]] = set()  # catch-ups a doorbell started
        self._waiting = 0  # published, not yet in Redis
        self._script: Any = None

    @property
    def redis(self) -> Redis:
        if self._redis is None:
            raise RuntimeError("the Redis event bus is not started")
        return self._redis

    async def start(self) -> None:
        if self._redis is not None:
            return
        self._redis = self._client
        self._script = self._redis.register_script(APPEND)
        self._queue = asyncio.Queue()
        self._pubsub = self._redis.pubsub(ignore_subscribe_messages=True)
        self._subscribing = asyncio.Lock()
        with contextlib.suppress(RedisError, OSError):  # Redis away: the listener subscribes
            await self._doorbells("subscribe", "")
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._write(), name="pywry-redis-publish"),
            loop.create_task(self._listen(), name="pywry-redis-doorbells"),
            loop.create_task(self._sweep(), name="pywry-redis-catch-up"),
        ]

    async def stop(self) -> None:
        tasks, self._tasks = [*self._tasks, *self._reading], []
        await halt(tasks)
        if self._queue is not None:
            while not self._queue.empty():
                _, _, numbered = self._queue.get_nowait()
                if not numbered.done():
                    numbered.set_exception(ConnectionError("the event bus stopped"))
        self._subs.clear()
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()
        self._redis = self._pubsub = self._queue = None
        self._waiting = 0

    # ------------------------------------------------------------------ publishing
    def refusal(self) -> str | None:
        if self._waiting < self._max_waiting:
            return None
        return (
            f"Redis has been unavailable and {self._waiting:,} events wait to be published;"
            " this one is refused (they go out, in order, once Redis is back)"
        )

    def publish(self, label: str, *bodies: Body) -> asyncio.Future[int]:
        if not bodies:
            raise ValueError("publish() needs at least one event body")
        numbered: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        if self._queue is None:
            numbered.set_exception(ConnectionError("the event bus is not started"))
        elif (reason := self.refusal()) is not None:
            numbered.set_exception(ServerError(reason))
        else:
            self._waiting += len(bodies)
            self._queue.put_nowait((label, bodies, numbered))
        return numbered

    async def _write(self) -> None:
        queue = self._queue
        assert queue is not None
        while True:
            batch = [await queue.get()]
            while not queue.empty():
                batch.append(queue.get_nowait())
            await self._send(batch)

    async def _send(self, batch: list[_Publish]) -> None:
        delay = 0.05
        while True:
            try:
                pipe = self.redis.pipeline(transaction=False)
                k = self._keys
                last_call: list[int] = []  # per publish: where its last call's number is
                for label, bodies, _ in batch:
                    for run in calls(bodies):
                        await self._script(  # queued on the pipeline, sent by execute()
                            keys=[k.meta(label), k.stream(label), k.doorbell(label)],
                            args=[self._history, secrets.token_hex(8), *run],
                            client=pipe,
                        )
                    last_call.append(len(pipe) - 1)
                numbers = await pipe.execute()
            except RedisError as exc:
                # Kept, in order, until Redis is back: a publish is never dropped quietly.
                log.warning("Redis unavailable for publishing (%s); retrying in %.2f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            # This process's listeners get what it published before the publishers hear the
            # numbers (as with one process's bus), without waiting for the doorbell.
            for label in dict.fromkeys(label for label, _, _ in batch):
                if label in self._subs:
                    await self._catch_up_quietly(label)
            for (_, bodies, numbered), at in zip(batch, last_call, strict=True):
                self._waiting -= len(bodies)
                if not numbered.done():
                    numbered.set_result(int(numbers[at]))  # the number of its last body
            return

    # ------------------------------------------------------------------ delivering
    async def subscribe(
        self,
        label: str,
        listener: FrameListener,
        *,
        after: int | None = None,
        on_reset: ResetListener | None = None,
    ) -> Unsubscribe:
        sub = self._subs.get(label)
        new = sub is None
        if sub is None:
            sub = self._subs[label] = _Subscription()
        while sub.reading:  # a read under way hands its events to the listeners it has
            await sub.read.wait()
        # No read hands events over until the listener has the past: it would miss them.
        sub.reading = True
        sub.read.clear()
        try:
            if new:
                await self._doorbells("subscribe", label)  # first: nothing is missed
                # A log from the start, so a page rendered before the first event knows
                # its epoch.
                await self.redis.hsetnx(self._keys.meta(label), "epoch", secrets.token_hex(8))
                sub.last, sub.epoch = await self._head(label)
            if after is not None:
                past = await self.history(label, after, self._history)
                for first, bodies in runs([e for e in past if e[0] <= sub.last]):
                    listener(first, bodies)
            sub.listeners.append(listener)
            if on_reset is not None:
                sub.resets.append(on_reset)
        except BaseException:
            sub.read.set()
            raise
        finally:
            sub.reading = False
        # What came meanwhile, to every listener. ``read`` stays clear until this read ends,
        # so a catch_up() waiting since the subscribe began returns only after it.
        await self._catch_up(label)

        async def unsubscribe() -> None:
            if listener in sub.listeners:
                sub.listeners.remove(listener)
            if on_reset is not None and on_reset in sub.resets:
                sub.resets.remove(on_reset)
            if not sub.listeners and self._subs.get(label) is sub:
                del self._subs[label]
                with contextlib.suppress(Exception):
                    await self._doorbells("unsubscribe", label)

        return unsubscribe

    async def _doorbells(self, action: str, label: str) -> None:
        # Two subscribes at once on a pub/sub that is not connected yet would each open a
        # connection, and the doorbells of one would ring on a connection nobody reads.
        assert self._subscribing is not None
        async with self._subscribing:
            await getattr(self._pubsub, action)(self._keys.doorbell(label))

    async def _head(self, label: str) -> tuple[int, bytes | None]:
        """The widget's newest number and its log's epoch (``None``: no log yet)."""
        values: Any = await self.redis.hmget(self._keys.meta(label), ["seq", "epoch"])
        return int(values[0] or 0), values[1]

    async def _catch_up(self, label: str) -> None:
        """Hand the listeners every event after the last one they got, in order."""
        sub = self._subs.get(label)
        if sub is None:
            return
        if sub.reading:
            sub.again = True
            return
        sub.reading = True
        sub.read.clear()
        try:
            while True:
                sub.again = False
                pipe = self.redis.pipeline(transaction=True)
                pipe.hget(self._keys.meta(label), "epoch")
                pipe.xrange(self._keys.stream(label), min=f"({sub.last}-0", count=_READ_BATCH)
                epoch, raw = await pipe.execute()
                if epoch is not None and epoch != sub.epoch:
                    if sub.epoch is not None:
                        self._reset(label, sub)
                        sub.epoch = epoch
                        continue  # read the new log from its start
                    sub.epoch = epoch
                read = entries(raw)
                for first, bodies in runs([e for e in read if e[0] > sub.last]):
                    sub.last = first + len(bodies) - 1
                    for listener in list(sub.listeners):
                        try:
                            listener(first, bodies)
                        except Exception:  # one listener's failure must not starve the others
                            log.exception("a subscriber of widget %r failed", label)
                if len(read) < _READ_BATCH and not sub.again:
                    break
        finally:
            sub.reading = False
            sub.read.set()

    def _reset(self, label: str, sub: _Subscription) -> None:
        log.error(
            "widget %r: its event log in Redis was lost (a restart without persistence?);"
            " its pages resynchronise",
            label,
        )
        sub.last = 0
        for reset in list(sub.resets):
            try:
                reset()
            except Exception:
                log.exception("a subscriber of widget %r failed to reset", label)

    async def _listen(self) -> None:
        delay = 0.05
        while True:
            try:
                if not self._pubsub.subscribed:
                    # Always subscribed to something, so reading the doorbells can block;
                    # a worker that starts while Redis is away gets here once it is back.
                    await self._doorbells("subscribe", "")
                message = await self._pubsub.get_message(timeout=1.0)
                stop_if_cancelled()
                delay = 0.05
            except (RedisError, OSError) as exc:
                log.warning("Redis doorbells lost (%s); reconnecting in %.2f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                await self._catch_up_all()  # what rang while away
                continue
            if message is None:
                continue
            label = self._keys.label_of_doorbell(message["channel"])
            sub = self._subs.get(label) if label else None
            if label is None or sub is None or number(message["data"]) <= sub.last:
                continue  # read already (by the publisher's own catch-up, or a batch)
            if sub.reading:
                sub.again = True  # the read under way reads once more: doorbells coalesce
            else:
                task = asyncio.get_running_loop().create_task(self._catch_up_quietly(label))
                self._reading.add(task)
                task.add_done_callback(self._reading.discard)

    async def _catch_up_quietly(self, label: str) -> None:
        try:
            await self._catch_up(label)
        except (RedisError, OSError) as exc:  # the next sweep catches up
            log.debug("catch-up of %r failed: %s", label, exc)

    async def _sweep(self) -> None:
        while True:
            await asyncio.sleep(_CATCH_UP_EVERY)  # a period, not a wait for a condition
            await self._catch_up_all()

    async def _catch_up_all(self) -> None:
        for label in list(self._subs):
            await self._catch_up_quietly(label)

    # ------------------------------------------------------------------ history
    def epoch(self, label: str) -> str:
        sub = self._subs.get(label)
        return "" if sub is None or sub.epoch is None else sub.epoch.decode()

    async def catch_up(self, label: str) -> None:
        sub = self._subs.get(label)
        if sub is None:
            return
        if not sub.reading:
            await self._catch_up(label)
            return
        sub.again = True  # the read under way reads once more, past what is published now
        while sub.reading:
            await sub.read.wait()

    async def history(self, label: str, after: int, limit: int) -> list[tuple[int, Body]]:
        if limit < 1:
            return []
        return entries(
            await self.redis.xrange(self._keys.stream(label), min=f"({after}-0", count=limit)
        )

    async def forget(self, label: str) -> None:
        await self.redis.delete(self._keys.meta(label), self._keys.stream(label))
        sub = self._subs.get(label)
        if sub is not None:
            sub.last, sub.epoch = 0, None
