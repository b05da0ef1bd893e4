"""GranianRunner: the real Granian on 127.0.0.1, started and stopped on a LoopThread's loop."""

from __future__ import annotations

import asyncio
import errno
import gc
import logging
import os
import shutil
import socket
import ssl
import subprocess
import sys
import textwrap
import threading
import time
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from certs import write_pair
from pywry.adapters.granian import GranianRunner, RunnerState
from pywry.adapters.granian.sockets import bind_error, loopback_for, resolve
from pywry.app.loop import LoopThread
from pywry.domain.errors import IllegalTransitionError, PortInUseError, ServerError, SettingsError
from pywry.domain.ports import Bind, BoundAddress, TlsMaterial

pytestmark = pytest.mark.server

LOCAL = "127.0.0.1"


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Answers 200 "ok" (``/hang`` never answers) and echoes every WebSocket message."""
    if scope["type"] == "http" and scope["path"] == "/hang":
        await asyncio.Event().wait()
    elif scope["type"] == "http":
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"text/plain")],
            }
        )
        await send({"type": "http.response.body", "body": b"ok"})
    elif scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        while (message := await receive())["type"] == "websocket.receive":
            await send(
                {
                    "type": "websocket.send",
                    "text": message.get("text"),
                    "bytes": message.get("bytes"),
                }
            )


@pytest.fixture
def loop_thread() -> Iterator[LoopThread]:
    thread = LoopThread(use_uvloop=False)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture
def runners(loop_thread: LoopThread) -> Iterator[list[GranianRunner]]:
    # Depends on loop_thread so that runners stop before their loop does.
    made: list[GranianRunner] = []
    yield made
    for runner in made:
        runner.stop()


@pytest.fixture
def runner(runners: list[GranianRunner]) -> GranianRunner:
    runners.append(GranianRunner(log_level="warning"))
    return runners[0]


def get(address: BoundAddress, **kwargs: Any) -> httpx.Response:
    # trust_env=False: no proxy from the environment; this traffic stays on the loopback.
    with httpx.Client(trust_env=False, timeout=5, **kwargs) as client:
        return client.get(f"{address.scheme}://{address.host}:{address.port}/")


def listener(*, reuse_port: bool = False) -> socket.socket:
    sock = socket.socket()
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((LOCAL, 0))
    sock.listen()
    return sock


def test_a_started_runner_answers_on_the_port_it_reports(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)

    response = get(address)

    assert (response.status_code, response.text) == (200, "ok")
    assert address.port != 0
    assert address.scheme == "http"
    assert runner.address == address
    assert runner.state is RunnerState.RUNNING


def test_port_zero_picks_a_free_port_that_the_server_really_holds(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    address = runner.start(app, Bind(LOCAL, 0), loop_thread.loop)

    with socket.socket() as other, pytest.raises(OSError) as caught:
        other.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        other.bind((LOCAL, address.port))
    assert caught.value.errno == errno.EADDRINUSE


@pytest.mark.parametrize("reuse_port", [False, True], ids=["plain", "so-reuseport"])
def test_a_port_in_use_by_another_socket_raises_a_clear_error(
    runner: GranianRunner, loop_thread: LoopThread, reuse_port: bool
) -> None:
    with listener(reuse_port=reuse_port) as taken:
        port = taken.getsockname()[1]
        with pytest.raises(PortInUseError) as caught:
            runner.start(app, Bind(LOCAL, port), loop_thread.loop)

    assert f"{LOCAL}:{port}" in str(caught.value)
    assert "PYWRY_SERVER__PORT" in str(caught.value)
    assert runner.state is RunnerState.STOPPED
    assert runner.address is None


def time_wait_port() -> int:
    """A port held only by a connection in TIME_WAIT, left by a plain server that closed first."""
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind((LOCAL, 0))
        server.listen()
        port = int(server.getsockname()[1])
        client = socket.create_connection((LOCAL, port))
        accepted, _ = server.accept()
        accepted.close()  # the server side closes first: TIME_WAIT is on the server's port
        assert client.recv(1) == b""
        client.close()
    return port


def test_a_port_held_only_by_closed_connections_is_taken_over(
    runner: GranianRunner, loop_thread: LoopThread
) -> None:
    port = time_wait_port()
    with socket.socket() as strict, pytest.raises(OSError):  # what a plain bind says
        strict.bind((LOCAL, port))

    address = runner.start(app, Bind(LOCAL, port), loop_thread.loop)

    assert address.port == port
    assert get(address).text == "ok"
    second = GranianRunner()
    with pytest.raises(PortInUseError):  # taken over, then held as exclusively as ever
        second.start(app, Bind(LOCAL, port), loop_thread.loop)


def test_two_runners_never_share_a_port_silently(
    runners: list[GranianRunner], loop_thread: LoopThread
) -> None:
    first, second = GranianRunner(), GranianRunner()
    runners.extend([first, second])
    address = first.start(app, Bind(LOCAL, 0), loop_thread.loop)

    with pytest.raises(PortInUseError, match=f":{address.port} is already in use"):
        second.start(app, Bind(LOCAL, address.port), loop_thread.loop)
    assert get(address).text == "ok"


SERVE_SCRIPT = textwrap.dedent(
    """
    import sys
    from pywry.adapters.granian import GranianRunner
    from pywry.app.loop import LoopThread
    from pywry.domain.ports import Bind

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"other process"})

    runner = GranianRunner()
    print(runner.start(app, Bind("127.0.0.1", 0), LoopThread(use_uvloop=False).loop).port, flush=True)
    sys.stdin.readline()  # serve until the test closes our stdin
    """
)


def test_a_port_served_by_another_process_is_never_shared(
    runner: GranianRunner, loop_thread: LoopThread, tmp_path: Path
) -> None:
    script = tmp_path / "serve.py"
    script.write_text(SERVE_SCRIPT)
    with subprocess.Popen(
        [sys.executable, str(script)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as other:
        assert other.stdout is not None
        assert other.stdin is not None
        port = int(other.stdout.readline())
        try:
            with pytest.raises(PortInUseError, match=f":{port} is already in use"):
                runner.start(app, Bind(LOCAL, port), loop_thread.loop)
            answer = get(BoundAddress(LOCAL, port)).text
        finally:
            other.stdin.close()
            other.wait(15)

    assert answer == "other process"
    assert other.returncode == 0


def _unprivileged_port_start() -> int:
    try:
        return int(Path("/proc/sys/net/ipv4/ip_unprivileged_port_start").read_text())
    except (OSError, ValueError):
        return 1024


PRIVILEGED_SCRIPT = textwrap.dedent(
    """
    from pywry.adapters.granian import GranianRunner
    from pywry.app.loop import LoopThread
    from pywry.domain.errors import ServerError
    from pywry.domain.ports import Bind

    try:
        GranianRunner().start(object(), Bind("127.0.0.1", 1), LoopThread(use_uvloop=False).loop)
    except ServerError as exc:
        print(type(exc).__name__, exc)
    """
)


# Root binds low ports through this capability. Dropping it from the inheritable and bounding
# sets keeps it from the child; it stays root, so it can still read a clone in a private folder.
WITHOUT_NET_BIND_SERVICE = [
    "setpriv",
    "--inh-caps=-net_bind_service",
    "--bounding-set=-net_bind_service",
    "--",
]


@pytest.mark.skipif(_unprivileged_port_start() <= 1, reason="every user may bind low ports here")
def test_a_privileged_port_gives_a_clear_server_error() -> None:
    command = [sys.executable, "-c", PRIVILEGED_SCRIPT]
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root may bind low ports and setpriv (util-linux) is not installed")
        command = [*WITHOUT_NET_BIND_SERVICE, *command]

    done = subprocess.run(command, capture_output=True, text=True, timeout=15, check=False)

    assert done.stdout.startswith("ServerError cannot listen on 127.0.0.1:1: permission denied"), (
        done.stdout + done.stderr
    )


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


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def root_records() -> Iterator[_Records]:
    handler = _Records()
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    yield handler
    root.removeHandler(handler)
    root.setLevel(level)


def test_a_users_logging_handler_survives_a_start(
    runner: GranianRunner, loop_thread: LoopThread, root_records: _Records
) -> None:
    runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    logging.getLogger("user.script").warning("still heard")

    assert root_records in logging.getLogger().handlers
    assert "still heard" in [r.getMessage() for r in root_records.records]


def test_only_granians_experimental_notice_is_silenced(
    runners: list[GranianRunner], loop_thread: LoopThread, root_records: _Records
) -> None:
    runners.append(GranianRunner(log_level="info"))
    runners[0].start(app, Bind(LOCAL, 0), loop_thread.loop)
    logging.getLogger("_granian").warning("another warning")

    messages = [r.getMessage() for r in root_records.records if r.name == "_granian"]
    assert "another warning" in messages
    assert any(m.startswith("Listening at") for m in messages)
    assert not any("experimental" in m for m in messages)


def test_a_stopped_runner_can_be_garbage_collected(loop_thread: LoopThread) -> None:
    runner = GranianRunner()
    runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
    runner.stop()
    ref = weakref.ref(runner)

    del runner
    gc.collect()

    assert ref() is None


class _ExitHooks:
    """Stands in for ``atexit``: keeps the hooks a runner registers instead of running them."""

    def __init__(self) -> None:
        self.hooks: list[Callable[[], object]] = []

    def register(self, hook: Callable[[], object]) -> Callable[[], object]:
        self.hooks.append(hook)
        return hook

    def unregister(self, hook: Callable[[], object]) -> None:
        self.hooks = [h for h in self.hooks if h != hook]


def test_a_stopped_runner_leaves_no_exit_hook_behind(
    runners: list[GranianRunner], loop_thread: LoopThread
) -> None:
    exit_hooks = _ExitHooks()
    runner = GranianRunner(log_level="warning", exit_hooks=exit_hooks)
    runners.append(runner)

    for _ in range(2):  # a later start registers its hook again
        runner.start(app, Bind(LOCAL, 0), loop_thread.loop)
        assert len(exit_hooks.hooks) == 1
        runner.stop()
        assert exit_hooks.hooks == []


def test_bad_settings_are_refused_with_the_value_named() -> None:
    with pytest.raises(SettingsError, match="'loud'"):
        GranianRunner(log_level="loud")
    with pytest.raises(SettingsError, match="-1"):
        GranianRunner(timeout_keep_alive=-1)


EXIT_SCRIPT = textwrap.dedent(
    """
    import sys
    from pywry.adapters.granian import GranianRunner
    from pywry.app.loop import LoopThread
    from pywry.domain.ports import Bind

    async def app(scope, receive, send):
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})

    loop = LoopThread(use_uvloop=False)
    runner = GranianRunner()
    runner.start(app, Bind("127.0.0.1", 0), loop.loop)
    if sys.argv[1] == "stop":
        runner.stop()
    """
)


@pytest.mark.timeout(40)
@pytest.mark.parametrize("ending", ["stop", "no-stop"])
def test_a_script_that_exits_right_after_starting_never_aborts(ending: str, tmp_path: Path) -> None:
    script = tmp_path / "exit_at_once.py"
    script.write_text(EXIT_SCRIPT)

    for _ in range(8):
        done = subprocess.run(
            [sys.executable, str(script), ending],
            capture_output=True,
            text=True,
            timeout=15,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert "panic" not in done.stderr.lower(), done.stderr


def _self_signed(directory: Path) -> TlsMaterial:
    certfile, keyfile = write_pair(directory, ca=True)
    return TlsMaterial(certfile=certfile, keyfile=keyfile)


def test_tls_material_serves_https(
    runner: GranianRunner, loop_thread: LoopThread, tmp_path: Path
) -> None:
    tls = _self_signed(tmp_path)
    address = runner.start(app, Bind(LOCAL, 0, tls=tls), loop_thread.loop)
    trust = ssl.create_default_context(cafile=str(tls.certfile))

    response = get(address, verify=trust)

    assert address.scheme == "https"
    assert (response.status_code, response.text) == (200, "ok")


def test_tls_accepts_clients_limited_to_tls_1_2(
    runner: GranianRunner, loop_thread: LoopThread, tmp_path: Path
) -> None:
    tls = _self_signed(tmp_path)
    address = runner.start(app, Bind(LOCAL, 0, tls=tls), loop_thread.loop)
    old_client = ssl.create_default_context(cafile=str(tls.certfile))
    old_client.maximum_version = ssl.TLSVersion.TLSv1_2

    with (
        socket.create_connection((LOCAL, address.port), timeout=5) as raw,
        old_client.wrap_socket(raw, server_hostname=LOCAL) as conn,
    ):
        version = conn.version()

    assert version == "TLSv1.2"
