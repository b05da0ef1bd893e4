"""The widget store in Redis: one hash per widget, shared by every worker.

Several workers that define the same widget at import time save it each with a token of
its own; the first save wins and the others adopt the stored widget (one widget, one token,
one stream), which is why :meth:`save` returns the widget as stored. A save of the stored
token with a newer revision replaces the content; a save from another process with other
content does too, under the stored token, as the next revision.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import msgspec
from redis.asyncio import Redis

from ...domain.ports import WidgetStore
from ...domain.token import Token
from ...domain.widget import Surround, Widget
from .keys import Keys

__all__ = ["RedisWidgetStore"]

# KEYS: widget hash, widgets zset, order counter
# ARGV: label, html, title, token, revision, width, height, ttl, surround, theme
# Returns the stored widget's token, revision and theme. The theme is written by a save of
# the stored token at the stored revision or later (a theme switch keeps the revision); a
# save by another process keeps the stored one.
_SAVE = """
local cur = redis.call('HMGET', KEYS[1], 'token', 'revision', 'html', 'title', 'theme')
local token, revision, theme = ARGV[4], tonumber(ARGV[5]), ARGV[10]
if cur[1] == false then
  redis.call('HSET', KEYS[1], 'html', ARGV[2], 'title', ARGV[3], 'token', token,
             'revision', revision, 'width', ARGV[6], 'height', ARGV[7],
             'surround', ARGV[9], 'theme', theme)
  if redis.call('ZSCORE', KEYS[2], ARGV[1]) == false then
    redis.call('ZADD', KEYS[2], redis.call('INCR', KEYS[3]), ARGV[1])
  end
else
  local stored = tonumber(cur[2])
  if cur[1] == token then
    if revision > stored then
      redis.call('HSET', KEYS[1], 'html', ARGV[2], 'title', ARGV[3], 'revision', revision,
                 'surround', ARGV[9], 'theme', theme)
    elseif revision == stored then
      redis.call('HSET', KEYS[1], 'theme', theme)
    else
      revision = stored
      theme = cur[5] or ''
    end
  else
    if cur[3] ~= ARGV[2] or cur[4] ~= ARGV[3] then
      revision = stored + 1
      redis.call('HSET', KEYS[1], 'html', ARGV[2], 'title', ARGV[3], 'revision', revision,
                 'surround', ARGV[9])
    else
      revision = stored
    end
    theme = cur[5] or ''
  end
  token = cur[1]
end
redis.call('EXPIRE', KEYS[1], ARGV[8])
return {token, revision, theme}
"""


_MARK_SEEN = """
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('HSET', KEYS[1], 'seen', 1) end
"""


class RedisWidgetStore(WidgetStore):
    """The :class:`WidgetStore` port on Redis; widgets expire ``ttl`` seconds after their
    last save."""

    def __init__(self, *, redis: Redis, keys: Keys, ttl: int = 86_400) -> None:
        self._redis = redis
        self._keys = keys
        self._ttl = ttl
        self._save: Any = redis.register_script(_SAVE)
        self._mark_seen: Any = redis.register_script(_MARK_SEEN)

    @property
    def redis(self) -> Redis:
        return self._redis

    async def save(self, widget: Widget) -> Widget:
        k = self._keys
        redis = self.redis
        token, revision, theme = await self._save(
            keys=[k.widget(widget.label), k.widgets, k.widget_order],
            args=[
                widget.label,
                widget.html,
                widget.title,
                widget.token.reveal(),
                widget.revision,
                widget.width or "",
                widget.height or "",
                self._ttl,
                _encode_surround(widget.surround),
                widget.theme or "",
            ],
            client=redis,
        )
        stored_token = token.decode() if isinstance(token, bytes) else str(token)
        stored_theme = (theme.decode() if isinstance(theme, bytes) else str(theme)) or None
        if (
            stored_token == widget.token.reveal()
            and int(revision) == widget.revision
            and stored_theme == widget.theme
        ):
            return widget
        return replace(
            widget, token=Token(stored_token), revision=int(revision), theme=stored_theme
        )

    async def get(self, label: str) -> Widget | None:
        fields: Any = await self.redis.hgetall(self._keys.widget(label))
        if not fields:
            return None
        text = {key.decode(): value.decode() for key, value in fields.items()}
        return Widget(
            label=label,
            html=text["html"],
            title=text["title"],
            token=Token(text["token"]),
            revision=int(text["revision"]),
            width=_size(text.get("width")),
            height=_size(text.get("height")),
            surround=_decode_surround(text.get("surround")),
            theme=text.get("theme") or None,
        )

    async def delete(self, label: str) -> bool:
        pipe = self.redis.pipeline(transaction=True)
        pipe.delete(self._keys.widget(label))
        pipe.zrem(self._keys.widgets, label)
        deleted, _ = await pipe.execute()
        return bool(deleted)

    async def mark_seen(self, label: str) -> None:
        # Only on a stored widget: a field alone would make a hash without html or token.
        await self._mark_seen(keys=[self._keys.widget(label)], client=self.redis)

    async def seen(self, label: str) -> bool:
        return bool(await self.redis.hexists(self._keys.widget(label), "seen"))

    async def labels(self) -> list[str]:
        names: Any = await self.redis.zrange(self._keys.widgets, 0, -1)
        if not names:
            return []
        # Expired widgets leave their label behind: only those still stored count.
        pipe = self.redis.pipeline(transaction=False)
        for name in names:
            pipe.exists(self._keys.widget(name.decode()))
        alive = await pipe.execute()
        return [name.decode() for name, here in zip(names, alive, strict=True) if here]


def _size(text: str | None) -> int | str | None:
    """A stored width or height: pixels come back as a number, a CSS length as it was."""
    if not text:
        return None
    return int(text) if text.isdigit() else text


def _encode_surround(surround: Surround | None) -> str:
    """A widget's drawn toolbars and modals as JSON ("" for none)."""
    return "" if surround is None else msgspec.json.encode(surround).decode()


def _decode_surround(text: str | None) -> Surround | None:
    return msgspec.json.decode(text, type=Surround) if text else None
