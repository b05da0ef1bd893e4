"""Deploy mode's shared state in Redis: widgets, event streams and the inbound ledger."""

from __future__ import annotations

from .bus import RedisEventBus
from .keys import Keys
from .ledger import RedisInboundLedger
from .relay import RedisRelay
from .store import RedisWidgetStore

__all__ = [
    "Keys",
    "RedisEventBus",
    "RedisInboundLedger",
    "RedisRelay",
    "RedisWidgetStore",
    "probe",
]


def probe(url: str, *, timeout: float = 3.0) -> None:
    """Check that Redis answers at ``url``; ``ServerError`` naming it if not."""
    import redis

    from ...app.settings_sources import mask
    from ...domain.errors import ServerError

    client = redis.Redis.from_url(url, socket_connect_timeout=timeout, socket_timeout=timeout)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ServerError(
            f"cannot reach Redis at {mask('redis_url', url)} (deploy.redis_url, for"
            f' state_backend = "redis"): {exc}'
        ) from None
    finally:
        client.close()
