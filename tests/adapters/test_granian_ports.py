"""GranianRunner's ports: the one it reports is the one it holds, never shared with another
socket, runner or process; a port it cannot have is a clear error."""

from __future__ import annotations

import errno
import os
import shutil
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from granian_fixtures import loop_thread_fixture, runner_fixture, runners_fixture  # noqa: F401 - fixtures
from granian_kit import LOCAL, app, get, listener
from pywry.adapters.granian import GranianRunner, RunnerState
from pywry.app.loop import LoopThread
from pywry.domain.errors import PortInUseError
from pywry.domain.ports import Bind, BoundAddress

pytestmark = pytest.mark.server


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
