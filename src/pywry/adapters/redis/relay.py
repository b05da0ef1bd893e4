"""The relay in Redis: each worker reads a stream of its own, where others put what is its.

A widget a route handler showed on worker A has its callbacks on A only; the worker that
holds one of its pages' sockets forwards the page's events to A's stream. A page's answer
to a question A asked goes there too. Each worker names itself (``[deploy] worker_id``, or
host, process id and a random part) and claims the widgets it shows.

While alive, a worker renews a heartbeat key (it expires after ``connection_ttl``) and
says how many pages of each widget it serves; counts of workers whose heartbeat expired
(killed, or cut off) no longer count, and events for a widget whose worker is dead are
answered as such instead of waiting for ever.

A page's event running on a worker is kept in a hash of that worker's until its callbacks
finish. A worker that finds another's heartbeat expired takes that hash whole (one script:
read and delete, so one worker takes it) and runs its events again: at least once across
a crash.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import os
import secrets
import socket
from collections.abc import Callable
from typing import Any

import msgspec
from redis.asyncio import Redis
from redis.exceptions import RedisError

from ...domain.events import Event
from ...domain.ports import Forwarded, Relay
from .cancelling import halt, stop_if_cancelled
from .keys import Keys

__all__ = ["RedisRelay"]

log = logging.getLogger("pywry.relay")

_KEPT = 100_000  # entries a worker's stream keeps at most
# Read a dead worker's running events and delete them, in one step: one rescuer gets them.
_TAKE_RUNNING = "local e = redis.call('HGETALL', KEYS[1]) redis.call('DEL', KEYS[1]) return e"
_BLOCK_MS = 1000
_REPORT_EVERY = 2.0  # seconds between reports of this worker's page counts


class _Forwarded(msgspec.Struct, forbid_unknown_fields=False):
    kind: str
    label: str = ""
    name: str = ""
    data: Any = None
    page: str | None = None
    call: str | None = None
    id: str = ""


def _event_body(event: Event) -> _Forwarded:
    return _Forwarded(
        kind="event",
        label=event.label,
        name=event.name,
        data=event.data,
        page=event.page_id,
        call=event.call_id,
    )


# MessagePack, not JSON: a page's binary values stay bytes on their way to another worker.
_encoder = msgspec.msgpack.Encoder()
_decoder = msgspec.msgpack.Decoder(_Forwarded)


class RedisRelay(Relay):
    """The :class:`Relay` port on Redis streams, one per worker."""

    def __init__(
        self,
        *,
        redis: Redis,
        keys: Keys,
        worker_id: str | None = None,
        ttl: int = 86_400,
        alive_ttl: int = 300,
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl = ttl
        self._alive_ttl = alive_ttl
        self._id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._tasks: list[asyncio.Task[None]] = []
        self._reported: set[str] = set()  # widgets whose page count this worker wrote
        self._runs = itertools.count(1)
        self._finishing: set[asyncio.Task[Any]] = set()
        self._take_running = redis.register_script(_TAKE_RUNNING)

    @property
    def shared(self) -> bool:
        return True

    @property
    def worker_id(self) -> str:
        return self._id

    async def start(
        self,
        *,
        on_event: Callable[[Event], object],
        on_response: Callable[[str, Any], None],
        local_pages: Callable[[], dict[str, int]],
    ) -> None:
        if self._tasks:
            return
        # A worker named in the settings may be this one's earlier life: what it was
        # running when it died runs now, before this life keeps anything of its own.
        try:
            await self._run_again(self._id, on_event)
        except (RedisError, OSError) as exc:
            log.warning("could not look for runs of an earlier life of this worker: %s", exc)
        loop = asyncio.get_running_loop()
        self._tasks = [
            loop.create_task(self._take(on_event, on_response), name="pywry-redis-relay"),
            loop.create_task(self._beat(local_pages, on_event), name="pywry-redis-heartbeat"),
        ]

    async def stop(self) -> None:
        tasks, self._tasks = self._tasks, []
        await halt(tasks)
        # Runs that finished are forgotten first: a live worker would run them again.
        await asyncio.gather(*self._finishing, return_exceptions=True)
        with contextlib.suppress(RedisError, OSError):  # gone: stop counting at once
            pipe = self._redis.pipeline(transaction=False)
            pipe.delete(self._keys.alive(self._id))
            for label in self._reported:
                pipe.hdel(self._keys.pages(label), self._id)
            await pipe.execute()

    async def _beat(
        self, local_pages: Callable[[], dict[str, int]], on_event: Callable[[Event], object]
    ) -> None:
        # Counts are at most this old; the heartbeat outlives a few missed beats.
        period = min(_REPORT_EVERY, self._alive_ttl / 3)
        while True:
            try:
                await self._report(local_pages())
                await self._rescue(on_event)
            except (RedisError, OSError) as exc:
                log.warning("Redis heartbeat failed (%s); retrying", exc)
            await asyncio.sleep(period)  # a period, not a wait for a condition

    async def _report(self, counts: dict[str, int]) -> None:
        pipe = self._redis.pipeline(transaction=False)
        pipe.set(self._keys.alive(self._id), 1, ex=self._alive_ttl)
        for label in self._reported - counts.keys():
            pipe.hdel(self._keys.pages(label), self._id)
        for label, count in counts.items():
            pipe.hset(self._keys.pages(label), self._id, count)
            pipe.expire(self._keys.pages(label), self._alive_ttl)
        await pipe.execute()
        self._reported = set(counts)

    async def page_counts(self) -> dict[str, int]:
        labels: Any = await self._redis.zrange(self._keys.widgets, 0, -1)
        pipe = self._redis.pipeline(transaction=False)
        for label in labels:
            pipe.hgetall(self._keys.pages(label.decode()))
        tables: Any = await pipe.execute()
        workers = {w for table in tables for w in table}
        alive = await self._alive(workers)
        return {
            label.decode(): sum(int(n) for w, n in table.items() if w in alive)
            for label, table in zip(labels, tables, strict=True)
        }

    async def _alive(self, workers: set[Any]) -> set[Any]:
        ordered = list(workers)
        pipe = self._redis.pipeline(transaction=False)
        for worker in ordered:
            name = worker.decode() if isinstance(worker, bytes) else worker
            pipe.exists(self._keys.alive(name))
        here: Any = await pipe.execute()
        return {worker for worker, yes in zip(ordered, here, strict=True) if yes}

    # ------------------------------------------------------------ runs kept until finished
    async def running(self, event: Event) -> str | None:
        token = str(next(self._runs))
        body = _event_body(event)
        pipe = self._redis.pipeline(transaction=False)
        pipe.hset(self._keys.running(self._id), token, _encoder.encode(body))
        pipe.sadd(self._keys.running_workers, self._id)
        try:
            await pipe.execute()
        except (RedisError, OSError) as exc:  # it runs all the same, unkept
            log.warning(
                "event %r of %r runs without a copy in Redis: %s", event.name, event.label, exc
            )
            return None
        return token

    def finished(self, token: str) -> None:
        task = asyncio.get_running_loop().create_task(self._forget_run(token))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)

    async def _forget_run(self, token: str) -> None:
        try:
            await self._redis.hdel(self._keys.running(self._id), token)
        except (RedisError, OSError) as exc:  # run again if this worker dies: at least once
            log.debug("a finished run could not be forgotten: %s", exc)

    async def _rescue(self, on_event: Callable[[Event], object]) -> None:
        """Run again here what workers whose heartbeat expired were running."""
        members: Any = await self._redis.smembers(self._keys.running_workers)
        others = {m for m in members if (m.decode() if isinstance(m, bytes) else m) != self._id}
        if not others:
            return
        for worker in others - await self._alive(others):
            name = worker.decode() if isinstance(worker, bytes) else worker
            await self._run_again(name, on_event)

    async def _run_again(self, worker: str, on_event: Callable[[Event], object]) -> None:
        flat: Any = await self._take_running(keys=[self._keys.running(worker)])
        if worker != self._id:
            await self._redis.srem(self._keys.running_workers, worker)
        bodies = [_decoder.decode(value) for value in flat[1::2]]
        if bodies:
            log.warning(
                "worker %s died with %d page event(s) running; running them again here",
                worker,
                len(bodies),
            )
        for body in bodies:
            try:
                on_event(Event(body.name, body.data, body.label, body.page, body.call))
            except Exception:
                log.exception("an event of a dead worker could not be run again")

    async def claim(self, label: str) -> None:
        await self._redis.set(self._keys.owner(label), self._id, ex=self._ttl)

    async def forward_event(self, event: Event) -> Forwarded:
        owner: Any = await self._redis.get(self._keys.owner(event.label))
        if owner is None or owner.decode() == self._id:
            return Forwarded.HERE
        if not await self._redis.exists(self._keys.alive(owner.decode())):
            return Forwarded.GONE
        body = _event_body(event)
        await self._put(owner.decode(), body)
        return Forwarded.SENT

    async def forward_response(self, worker: str, ident: str, answer: Any) -> None:
        await self._put(worker, _Forwarded(kind="response", id=ident, data=answer))

    async def _put(self, worker: str, body: _Forwarded) -> None:
        pipe = self._redis.pipeline(transaction=False)
        key = self._keys.relay(worker)
        pipe.xadd(key, {"m": _encoder.encode(body)}, maxlen=_KEPT, approximate=True)
        pipe.expire(key, self._ttl)
        await pipe.execute()

    async def _take(
        self, on_event: Callable[[Event], object], on_response: Callable[[str, Any], None]
    ) -> None:
        key = self._keys.relay(self._id)
        last = "0"
        delay = 0.05
        while True:
            try:
                reply: Any = await self._redis.xread({key: last}, block=_BLOCK_MS, count=100)
                stop_if_cancelled()
                delay = 0.05
            except (RedisError, OSError) as exc:
                log.warning("Redis relay unavailable (%s); retrying in %.2f s", exc, delay)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            for _, entries in reply or []:
                for entry_id, fields in entries:
                    last = entry_id.decode()
                    with contextlib.suppress(Exception):
                        await self._redis.xdel(key, last)
                    try:
                        self._hand_over(_decoder.decode(fields[b"m"]), on_event, on_response)
                    except Exception:
                        log.exception("a relayed message could not be handled")

    @staticmethod
    def _hand_over(
        body: _Forwarded,
        on_event: Callable[[Event], object],
        on_response: Callable[[str, Any], None],
    ) -> None:
        if body.kind == "event":
            on_event(Event(body.name, body.data, body.label, body.page, body.call))
        elif body.kind == "response":
            on_response(body.id, body.data)
