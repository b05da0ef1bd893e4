"""The relay in Redis: each worker reads a stream of its own, where others put what is its.

A widget a route handler showed on worker A has its callbacks on A only; the worker that
holds one of its pages' sockets forwards the page's events to A's stream. A page's answer
to a question A asked goes there too. Each worker names itself (``[deploy] worker_id``, or
host, process id and a random part) and claims the widgets it shows.
"""

from __future__ import annotations

import asyncio
import contextlib
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
from ...domain.ports import Relay
from .keys import Keys

__all__ = ["RedisRelay"]

log = logging.getLogger("pywry.relay")

_KEPT = 100_000  # entries a worker's stream keeps at most
_BLOCK_MS = 1000


class _Forwarded(msgspec.Struct, forbid_unknown_fields=False):
    kind: str
    label: str = ""
    name: str = ""
    data: Any = None
    page: str | None = None
    call: str | None = None
    id: str = ""


_encoder = msgspec.json.Encoder()
_decoder = msgspec.json.Decoder(_Forwarded)


class RedisRelay(Relay):
    """The :class:`Relay` port on Redis streams, one per worker."""

    def __init__(
        self, *, redis: Redis, keys: Keys, worker_id: str | None = None, ttl: int = 86_400
    ) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl = ttl
        self._id = worker_id or f"{socket.gethostname()}-{os.getpid()}-{secrets.token_hex(3)}"
        self._task: asyncio.Task[None] | None = None

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
    ) -> None:
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._take(on_event, on_response), name="pywry-redis-relay"
            )

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)

    async def claim(self, label: str) -> None:
        await self._redis.set(self._keys.owner(label), self._id, ex=self._ttl)

    async def forward_event(self, event: Event) -> bool:
        owner: Any = await self._redis.get(self._keys.owner(event.label))
        if owner is None or owner.decode() == self._id:
            return False
        body = _Forwarded(
            kind="event",
            label=event.label,
            name=event.name,
            data=event.data,
            page=event.page_id,
            call=event.call_id,
        )
        await self._put(owner.decode(), body)
        return True

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
