"""What the contract tests of the ports share: the adapters they run against, and how."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from conftest import run_async

ADAPTERS = ["memory", "redis"]


def redis_adapter(request: pytest.FixtureRequest) -> tuple[Any, Any]:
    """A Redis client factory and the key names of this test (a prefix of its own)."""
    from redis.asyncio import Redis

    from pywry.adapters.redis import Keys

    url = request.getfixturevalue("redis_url")
    keys = Keys(request.getfixturevalue("redis_prefix"))
    return (lambda: Redis.from_url(url)), keys


def run(coro: Any) -> Any:
    return run_async(asyncio.wait_for(coro, 10), timeout=15)
