"""GranianRunner: the real Granian on 127.0.0.1, started and stopped on a LoopThread's loop."""

from __future__ import annotations

import asyncio
import errno
import socket
import threading
import time
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from granian_fixtures import loop_thread_fixture, runner_fixture, runners_fixture  # noqa: F401 - fixtures
from granian_kit import LOCAL, app, get
from pywry.adapters.granian import GranianRunner, RunnerState
from pywry.adapters.granian.sockets import bind_error, loopback_for, resolve
from pywry.app.loop import LoopThread
from pywry.domain.errors import IllegalTransitionError, PortInUseError, ServerError
from pywry.domain.ports import Bind, BoundAddress

pytestmark = pytest.mark.server


def test_stop_frees_the_port_at_once(runner: GranianRunner, loop_thread: LoopThread) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    with httpx.Client(trust_env=False) as client:  # a kept-alive connection is open at stop
        assert client.get(f"http://{LOCAL}:{address.port}/").status_code == 200
        runner.stop()

    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOCAL, address.port))
        server.listen()
    assert runner.address is None
    assert runner.state is RunnerState.STOPPED


def test_stop_is_idempotent_and_harmless_before_start(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    runner.stop()
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    runner.stop()
    runner.stop()

    with pytest.raises(httpx.ConnectError):
        get(address)


def test_a_stopped_runner_starts_again_on_the_same_port(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    first = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    assert get(first).text == "ok"
    runner.stop()

    second = runner.start(app, Bind(LOCAL, first.port), loop_thread.loop)

    assert second == first
    assert get(second).text == "ok"


def test_starting_a_running_runner_is_an_illegal_transition(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)

    with pytest.raises(IllegalTransitionError, match="already running"):
        runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    assert runner.address == address


def test_start_on_the_servers_own_loop_is_refused(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    async def start_here() -> BoundAddress:
        return runner.start(app, Bind(LOCAL, 0), asyncio.get_running_loop())

    with pytest.raises(IllegalTransitionError, match="another thread"):
        loop_thread.run(start_here(), timeout=5)
    assert runner.state is RunnerState.STOPPED


def test_a_loop_that_is_not_running_gives_a_server_error(runner: GranianRunner) -> None:
    loop = asyncio.new_event_loop()
    try:
        with pytest.raises(ServerError, match="not running"):
            runner.start(app, Bind(LOCAL, 0), loop)
    finally:
        loop.close()


def test_a_host_this_machine_does_not_have_gives_a_server_error(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    # 192.0.2.1 is reserved for documentation: no machine has it, binding fails locally.
    with pytest.raises(ServerError, match=r"no address 192\.0\.2\.1") as caught:
        runner.start(app, Bind("192.0.2.1", 0), loop_thread.loop)
    assert not isinstance(caught.value, PortInUseError)


def test_a_host_name_that_does_not_resolve_gives_a_server_error(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    with pytest.raises(ServerError, match="PYWRY_SERVER__HOST"):
        runner.start(app, Bind("no-such-host.invalid", 0), loop_thread.loop)


def test_granians_own_errors_become_clear_errors() -> None:
    backtrace = "\n\nStack backtrace:\n   0: <unknown>"
    in_use = bind_error(
        RuntimeError(f"Address already in use (os error 98){backtrace}"), LOCAL, 8000
    )
    denied = bind_error(OSError(errno.EACCES, "Permission denied"), LOCAL, 80)
    other = bind_error(RuntimeError(f"something else{backtrace}"), "::1", 8000)

    assert isinstance(in_use, PortInUseError)
    assert "127.0.0.1:8000" in str(in_use)
    assert "or to 0" in str(in_use)
    assert isinstance(denied, ServerError)
    assert "permission denied" in str(denied)
    assert "above 1023" in str(denied)
    assert str(other) == "the server could not start on [::1]:8000: something else"


@pytest.mark.parametrize(
    ("host", "probe"),
    [("0.0.0.0", "127.0.0.1"), ("::", "::1"), ("::1", "::1"), ("127.0.0.1", "127.0.0.1")],
)
def test_the_readiness_probe_connects_to_a_loopback_address_for_wildcard_hosts(
    host: str, probe: str
) -> None:
    family, ip = resolve(host)

    assert loopback_for(family, ip) == probe


def _has_ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
    except OSError:
        return False
    return True


@pytest.mark.skipif(not _has_ipv6_loopback(), reason="no IPv6 loopback on this machine")
def test_an_ipv6_loopback_host_is_served(runner: GranianRunner, loop_thread: LoopThread) -> None:
    address = runner.start(app, Bind("::1", 0), loop_thread.loop)

    with httpx.Client(trust_env=False, timeout=5) as client:
        response = client.get(f"http://[::1]:{address.port}/")

    assert response.text == "ok"


def test_a_websocket_echoes_through_the_server(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)

    with connect(f"ws://{LOCAL}:{address.port}/ws", proxy=None, open_timeout=5) as ws:
        ws.send("ping")
        echoed = ws.recv(timeout=5)

    assert echoed == "ping"


def test_stop_closes_open_websockets_as_going_away(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)

    with connect(f"ws://{LOCAL}:{address.port}/ws", proxy=None, open_timeout=5) as ws:
        ws.send("ping")
        assert ws.recv(timeout=5) == "ping"
        started = time.monotonic()
        runner.stop()
        stop_took = time.monotonic() - started
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=5)

    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1001
    assert stop_took < 5


def test_stop_ends_a_request_that_never_answers(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    hanging = threading.Event()

    async def watched(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] == "/hang":
            hanging.set()  # the server runs the request now: stop must end it
        await app(scope, receive, send)

    address = runner.start(watched, Bind(LOCAL, 0), loop_thread.loop)
    outcome: list[object] = []

    def request() -> None:
        with httpx.Client(trust_env=False, timeout=10) as client:
            try:
                outcome.append(client.get(f"http://{LOCAL}:{address.port}/hang").status_code)
            except httpx.HTTPError as exc:
                outcome.append(exc)

    caller = threading.Thread(target=request)
    caller.start()
    assert hanging.wait(5)
    runner.stop()
    caller.join(10)

    assert not caller.is_alive()
    assert len(outcome) == 1
    assert not isinstance(outcome[0], httpx.TimeoutException)
    assert outcome[0] != 200
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOCAL, address.port))
