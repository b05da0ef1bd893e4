"""The inbound ledger in Redis: per widget, the last frame handled of each page id.

Shared by every worker, so a page that reconnects to another worker resends nothing that
was handled already. ``accept`` is one script (compare and set), so two workers can never
both take the same frame.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from ...domain.ports import InboundLedger
from .keys import Keys

__all__ = ["RedisInboundLedger"]

# KEYS: handled hash   ARGV: page id, seq, ttl   -> 1 if new (and recorded), else 0
_ACCEPT = """
local last = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
if tonumber(ARGV[2]) <= last then return 0 end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('EXPIRE', KEYS[1], ARGV[3])
return 1
"""


class RedisInboundLedger(InboundLedger):
    """The :class:`InboundLedger` port on Redis; a widget's entries expire ``ttl`` seconds
    after its last handled frame."""

    def __init__(self, *, redis: Redis, keys: Keys, ttl: int = 86_400) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl = ttl
        self._accept: Any = redis.register_script(_ACCEPT)

    @property
    def redis(self) -> Redis:
        return self._redis

    async def last(self, label: str, page_id: str) -> int:
        value = await self.redis.hget(self._keys.handled(label), page_id)
        return int(value or 0)

    async def accept(self, label: str, page_id: str, seq: int) -> bool:
        redis = self.redis
        new = await self._accept(
            keys=[self._keys.handled(label)], args=[page_id, seq, self._ttl], client=redis
        )
        return bool(new)

    async def forget(self, label: str) -> None:
        await self.redis.delete(self._keys.handled(label))
