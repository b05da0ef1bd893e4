"""The Redis event bus when Redis goes away: nothing published is dropped, and a Redis that
comes back empty starts a new log that subscribers are told about (never a silent hole).

Each test runs a redis-server of its own (no persistence: a restart loses everything).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from typing import Any

import pytest

from conftest import RedisServer, run_async
from pywry.domain.ports import Body


@pytest.fixture
def own_redis() -> Any:
    server = RedisServer()
    server.start()
    yield server
    server.stop()


@pytest.mark.timeout(60)
def test_publishes_while_redis_is_down_are_kept_and_a_lost_log_is_announced(own_redis):
    from redis.asyncio import Redis

    from pywry.adapters.redis import Keys, RedisEventBus

    events: list[Any] = []

    async def scene() -> list[int]:
        bus = RedisEventBus(redis=Redis.from_url(own_redis.url), keys=Keys("outage"))
        await bus.start()
        second = asyncio.Event()

        def hear(seq: int, bodies: Sequence[Body]) -> None:
            for number, body in enumerate(bodies, seq):
                events.append((number, body))
                if body == b"y":
                    second.set()

        await bus.subscribe("w", hear, on_reset=lambda: events.append("reset"))
        await bus.publish("w", b"before")
        await asyncio.to_thread(own_redis.stop)
        kept = [bus.publish("w", b"x"), bus.publish("w", b"y")]  # Redis is away
        await asyncio.to_thread(own_redis.start)  # back, empty
        numbers = [await numbered for numbered in kept]
        await asyncio.wait_for(second.wait(), 20)
        await bus.stop()
        return numbers

    numbers = run_async(scene(), timeout=50)
    assert numbers == [1, 2]  # a new log, numbered from one
    assert events == [(1, b"before"), "reset", (1, b"x"), (2, b"y")]


@pytest.mark.timeout(60)
def test_a_worker_whose_redis_is_away_still_starts_and_stops():
    import socket

    from litestar import Litestar
    from litestar.testing import TestClient

    from pywry import PyWry
    from pywry.litestar import PyWryPlugin

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]  # nothing listens there
    widgets = PyWry(
        settings={"deploy": {"state_backend": "redis", "redis_url": f"redis://127.0.0.1:{port}/0"}}
    )
    plugin = PyWryPlugin(widgets, path="/apps")
    widgets.show("<p>x</p>", label="w")
    # Granian stops a whole deployment whose workers keep failing their startup: this one
    # starts (degraded, retrying in the background) and stops cleanly.
    with TestClient(Litestar(plugins=[plugin]), base_url="http://127.0.0.1:8000") as client:
        assert client.get("/apps/health").status_code == 404  # serving (the API is hidden)


@pytest.mark.timeout(60)
def test_a_page_of_a_lost_log_is_told_to_reload_never_fed_numbers_it_has_seen(own_redis):
    import json
    import re

    from litestar import Litestar
    from litestar.exceptions import WebSocketDisconnect
    from litestar.testing import TestClient

    from pywry import PyWry
    from pywry.litestar import PyWryPlugin

    config = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
    widgets = PyWry(settings={"deploy": {"state_backend": "redis", "redis_url": own_redis.url}})
    plugin = PyWryPlugin(widgets, path="/apps")
    handle = widgets.show("<p>x</p>", label="w")
    with TestClient(Litestar(plugins=[plugin]), base_url="http://127.0.0.1:8000") as client:
        cfg = json.loads(config.search(client.get("/apps/widget/w").text).group(1))
        assert cfg["epoch"]  # the log the page's numbers count in
        protocols = ["pywry.v1", "pywry.token." + cfg["token"]]
        url = f"/apps/ws/w?page=tab&since={cfg['since']}&epoch={cfg['epoch']}"
        with client.websocket_connect(url, subprotocols=protocols) as ws:
            assert ws.receive_json()["type"] == "pywry:hello"
            for n in range(5):
                handle.emit("app:n", n)
            seen = []
            while len(seen) < 5:
                frame = ws.receive_json()
                seen += [f["seq"] for f in frame.get("events", [frame]) if f["type"] == "app:n"]
        own_redis.stop()  # the page is away; Redis comes back empty
        own_redis.start()
        handle.emit("app:n", 5)  # numbered 1 in a new log
        # The page comes back counting in the old log: it must reload, not skip 1 to 5.
        stale = f"/apps/ws/w?page=tab&since={seen[-1]}&epoch={cfg['epoch']}"
        with (
            pytest.raises(WebSocketDisconnect) as refused,
            client.websocket_connect(stale, subprotocols=protocols) as ws,
        ):
            while True:
                ws.receive_json()
        assert refused.value.code == 4000
        fresh = json.loads(config.search(client.get("/apps/widget/w").text).group(1))
        assert fresh["epoch"] != cfg["epoch"]


@pytest.mark.timeout(60)
def test_past_a_bound_events_wait_no_more_and_are_refused_naming_why(own_redis):
    from redis.asyncio import Redis

    from pywry import ServerError
    from pywry.adapters.redis import Keys, RedisEventBus

    async def scene() -> tuple[str | None, list[int]]:
        client = Redis.from_url(own_redis.url)
        bus = RedisEventBus(redis=client, keys=Keys("bound"), max_waiting=3)
        await bus.start()
        await asyncio.to_thread(own_redis.stop)
        kept = [bus.publish("w", f"e{k}".encode()) for k in range(3)]
        reason = bus.refusal()
        with pytest.raises(ServerError, match="Redis has been unavailable"):
            await bus.publish("w", b"refused")
        await asyncio.to_thread(own_redis.start)
        numbers = [await numbered for numbered in kept]
        assert bus.refusal() is None  # taken again once they went out
        await bus.stop()
        return reason, numbers

    reason, numbers = run_async(scene(), timeout=50)
    assert reason is not None
    assert "3 events wait" in reason
    assert numbers == [1, 2, 3]


@pytest.mark.timeout(60)
def test_a_page_rendered_by_a_worker_that_did_not_hear_of_a_new_log_yet_counts_in_it(own_redis):
    import json
    import re

    from litestar import Litestar
    from litestar.testing import TestClient

    from pywry import PyWry
    from pywry.litestar import PyWryPlugin

    config = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
    settings = {"deploy": {"state_backend": "redis", "redis_url": own_redis.url}}
    first, second = PyWry(settings=settings), PyWry(settings=settings)  # two workers
    apps = [Litestar(plugins=[PyWryPlugin(w, path="/apps")]) for w in (first, second)]
    handle = first.show("<p>x</p>", label="w")
    second.show("<p>x</p>", label="w")  # the same widget, defined by every worker
    base = "http://127.0.0.1:8000"
    with TestClient(apps[0], base_url=base) as one, TestClient(apps[1], base_url=base) as two:

        def rendered(client: TestClient[Any]) -> dict[str, Any]:
            found = config.search(client.get("/apps/widget/w").text)
            assert found is not None
            loaded: dict[str, Any] = json.loads(found.group(1))
            return loaded

        before = rendered(two)
        own_redis.stop()
        own_redis.start()  # back, empty
        handle.emit("app:n", 1)  # the first worker starts a new log once Redis answers it
        deadline = time.monotonic() + 20
        while (after_one := rendered(one))["epoch"] == before["epoch"]:
            assert time.monotonic() < deadline, "the first worker never started a new log"
        after_two = rendered(two)
        # The second worker reads the shared log before it renders: never the lost one.
        assert after_two["epoch"] == after_one["epoch"]
        assert after_two["since"] <= 1


@pytest.mark.timeout(60)
def test_once_a_page_connected_on_one_worker_a_page_loaded_on_another_starts_from_now(
    own_redis,
):
    import json
    import re

    from litestar import Litestar
    from litestar.testing import TestClient

    from pywry import PyWry
    from pywry.litestar import PyWryPlugin

    config = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
    settings = {"deploy": {"state_backend": "redis", "redis_url": own_redis.url}}
    first, second = PyWry(settings=settings), PyWry(settings=settings)  # two workers
    apps = [Litestar(plugins=[PyWryPlugin(w, path="/apps")]) for w in (first, second)]
    handle = first.show("<p>x</p>", label="w")
    second.show("<p>x</p>", label="w")
    base = "http://127.0.0.1:8000"
    with TestClient(apps[0], base_url=base) as one, TestClient(apps[1], base_url=base) as two:

        def rendered(client: TestClient[Any]) -> dict[str, Any]:
            found = config.search(client.get("/apps/widget/w").text)
            assert found is not None
            loaded: dict[str, Any] = json.loads(found.group(1))
            return loaded

        cfg = rendered(one)
        protocols = ["pywry.v1", "pywry.token." + cfg["token"]]
        url = f"/apps/ws/w?page=tab&since={cfg['since']}&epoch={cfg['epoch']}"
        with one.websocket_connect(url, subprotocols=protocols) as ws:
            assert ws.receive_json()["type"] == "pywry:hello"
            for n in range(3):
                handle.emit("app:n", n)
            seen: list[int] = []
            while len(seen) < 3:
                frame = ws.receive_json()
                seen += [f["seq"] for f in frame.get("events", [frame]) if f["type"] == "app:n"]
        # The first page had those three: a page loaded on the other worker does not.
        assert rendered(two)["since"] == seen[-1]
