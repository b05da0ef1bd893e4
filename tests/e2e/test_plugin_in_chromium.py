"""The Litestar plugin in a host app served by a real ASGI server, driven by a real Chromium.

The host app (``hosts/plugin_app.py``) runs in a subprocess under Granian
(``granian --interface asgi``) and under uvicorn, each on a free port of 127.0.0.1, as a user
deploys it. The example ``examples/embed_litestar.py`` is run both ways a user runs it.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

pytestmark = [pytest.mark.e2e, pytest.mark.server]

ROOT = Path(__file__).resolve().parents[2]
HOSTS = Path(__file__).resolve().parent / "hosts"
SERVERS = ["granian", "uvicorn"]
HOST_APP = "plugin_app:app"

# Opens a socket as the page itself would (its token, its subprotocols); says whether it opened.
OPEN_SOCKET = """([url, token]) => new Promise((resolve) => {
  let opened = false;
  const ws = new WebSocket(url, ['pywry.v1', 'pywry.token.' + token]);
  ws.onopen = () => { opened = true; ws.close(1000); };
  ws.onclose = (ev) => resolve({ opened, code: ev.code });
})"""
PAGE_CONFIG = "() => JSON.parse(document.getElementById('pywry-config').textContent)"
CONNECTED = "() => window.pywry !== undefined && window.pywry.connected === true"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_env(workdir: Path, *, pythonpath: Path | None = None) -> dict[str, str]:
    """The environment a user's shell would give the server: no pywry config of the developer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYWRY_", "GRANIAN_"))}
    env.update(
        PYWRY_CONFIG_FILE=os.devnull,
        XDG_CONFIG_HOME=str(workdir / "xdg"),
        PYTHONUNBUFFERED="1",
    )
    if pythonpath is not None:
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return env


def server_command(server: str, target: str, port: int) -> list[str]:
    if server == "granian":
        granian = str(Path(sys.executable).parent / "granian")
        return [granian, "--interface", "asgi", "--host", "127.0.0.1", "--port", str(port), target]
    return [sys.executable, "-m", "uvicorn", target, "--host", "127.0.0.1", "--port", str(port)]


class Served:
    """A command serving HTTP on 127.0.0.1:``port``, in a subprocess of its own; its output
    goes to a log file (a pipe nobody reads could fill up and stall the server)."""

    def __init__(
        self, command: list[str], *, port: int, env: dict[str, str], cwd: Path, log_path: Path
    ) -> None:
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log_path = log_path
        with self.log_path.open("wb") as log:
            # A session of its own: kill() ends Granian's worker process too, not only its main.
            self.proc = subprocess.Popen(
                command, cwd=cwd, env=env, stdout=log, stderr=log, start_new_session=True
            )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def wait_ready(self, timeout: float = 20) -> bool:
        """Poll ``/`` until it answers; False when the process exits first (a port taken)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(self.base + "/", timeout=1).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(0.05)  # a pause that ends early when the process exits
        raise AssertionError(f"{self.base} did not answer within {timeout} s:\n{self.log}")

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 20) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            raise AssertionError(f"no exit {timeout} s after signal {sig}:\n{self.log}") from None

    def kill(self) -> None:
        """End the server, politely first, and whatever of its process group is left."""
        if self.proc.poll() is None:
            self.proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.proc.wait(10)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(5)


def serve(
    command_for: Callable[[int], list[str]],
    *,
    env: dict[str, str],
    cwd: Path,
    logs: Path,
    started: list[Served],
    port: int | None = None,
) -> Served:
    """Start a server (``command_for(port)``, and ``PORT`` in its environment) on ``port``, or
    on a free port: another one when the port picked was taken meanwhile."""
    for _ in range(1 if port else 3):
        chosen = port or free_port()
        served = Served(
            command_for(chosen),
            port=chosen,
            env={**env, "PORT": str(chosen)},
            cwd=cwd,
            log_path=logs / f"server-{len(started)}-{chosen}.log",
        )
        started.append(served)
        if served.wait_ready():
            return served
    raise AssertionError(f"the server did not start:\n{served.log}")


def assert_clean(log: str) -> None:
    assert "Traceback" not in log, log
    assert "panic" not in log.lower(), log


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[..., Served]]:
    """Start servers for one test (a server's name and target, or a command); whatever is
    still running at the test's end is killed."""
    started: list[Served] = []

    def start(
        server: str = "",
        target: str = HOST_APP,
        *,
        command: list[str] | None = None,
        pythonpath: Path | None = HOSTS,
        cwd: Path = tmp_path,
        port: int | None = None,
    ) -> Served:
        def command_for(port: int) -> list[str]:
            return command if command is not None else server_command(server, target, port)

        env = server_env(tmp_path, pythonpath=pythonpath)
        return serve(command_for, env=env, cwd=cwd, logs=tmp_path, started=started, port=port)

    yield start
    for served in started:
        served.kill()


@pytest.fixture(scope="module", params=SERVERS)
def host(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Served]:
    """The host app under one server, shared by this module's tests (each uses its own labels)."""
    workdir = tmp_path_factory.mktemp(request.param)
    env = server_env(workdir, pythonpath=HOSTS)
    started: list[Served] = []
    try:
        served = serve(
            lambda port: server_command(request.param, HOST_APP, port),
            env=env,
            cwd=workdir,
            logs=workdir,
            started=started,
        )
        yield served
        assert_stopped_cleanly(served, request.param, signal.SIGTERM, served.stop())
    finally:
        for each in started:
            each.kill()


def log_in(page: Any, base: str) -> None:
    page.goto(base + "/login")  # the host's own login: a cookie, then back home
    expect(page.locator("body")).to_have_text("host home")


def click_and_see_the_answer(page: Any, label: str) -> None:
    page.wait_for_function(CONNECTED)
    page.click("#click")
    expect(page.locator("#answer")).to_have_text(f"Python saw click 1 on {label}")


def test_a_widget_shown_at_import_loads_under_the_path_and_round_trips_a_click(host, page):
    requests: list[str] = []
    sockets: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("websocket", lambda ws: sockets.append(ws.url.split("?")[0]))
    log_in(page, host.base)
    response = page.goto(host.base + "/sales")  # the host's route redirects to the widget
    assert response.status == 200
    assert page.url == host.base + "/apps/widget/sales"
    expect(page.locator("h1")).to_have_text("Sales")
    click_and_see_the_answer(page, "sales")
    assert any(url.startswith(host.base + "/apps/_pywry/bridge.js") for url in requests)
    assert sockets == [f"ws://127.0.0.1:{host.port}/apps/ws/sales"]
    assert page.js_errors == []


def test_the_guard_refuses_an_anonymous_user_the_page_and_the_socket(host, new_page):
    anonymous = new_page()
    refused = anonymous.goto(host.base + "/apps/widget/sales")
    assert refused.status == 401
    assert "log in first" in refused.text()

    user = new_page()
    log_in(user, host.base)
    assert user.goto(host.base + "/apps/widget/sales").status == 200
    user.wait_for_function(CONNECTED)
    config = user.evaluate(PAGE_CONFIG)
    ws_url = f"ws://127.0.0.1:{host.port}{config['ws']}"
    # The page's own token opens a socket for the logged-in user...
    assert user.evaluate(OPEN_SOCKET, [ws_url, config["token"]])["opened"] is True
    # ...and, the same token from the same origin, none for the anonymous one: the guard
    # refuses the handshake before pywry sees it (pywry itself accepts, then explains).
    assert anonymous.evaluate(OPEN_SOCKET, [ws_url, config["token"]]) == {
        "opened": False,
        "code": 1006,
    }

    user.goto(host.base + "/logout")  # the host's logout clears the cookie: no page any more
    assert user.goto(host.base + "/apps/widget/sales").status == 401


@pytest.mark.parametrize("handler", ["thread", "loop", "async"])
def test_a_widget_made_in_a_route_handler_is_reached_through_its_redirect(host, page, handler):
    # Sync handlers run in a worker thread (sync_to_thread=True) or on the loop; async on it.
    label = f"report-{handler}"
    log_in(page, host.base)
    response = page.goto(f"{host.base}/report/{handler}/{handler}")
    assert response.status == 200
    assert response.request.redirected_from.url == f"{host.base}/report/{handler}/{handler}"
    assert page.url == f"{host.base}/apps/widget/{label}"
    expect(page.locator("h1")).to_have_text(f"Report {handler}")
    click_and_see_the_answer(page, label)
    assert page.js_errors == []


def assert_stopped_cleanly(served: Served, server: str, sig: int, code: int) -> None:
    """The server shut down gracefully: the host's lifespan (pywry's stop, then the host's
    own shutdown hook) ran to its end, and the exit status is the server's normal one."""
    # uvicorn (0.29 and later) re-raises the signal it caught once its graceful shutdown is
    # done: after SIGTERM it ends "killed by SIGTERM", as a plain Litestar app under it does.
    expected = -signal.SIGTERM if (server, sig) == ("uvicorn", signal.SIGTERM) else 0
    assert code == expected, served.log
    assert "plugin_app: shut down" in served.log
    assert_clean(served.log)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
@pytest.mark.parametrize("server", SERVERS)
def test_the_server_stops_on_a_signal_with_a_page_connected(servers, page, server, sig):
    served = servers(server)
    log_in(page, served.base)
    page.goto(served.base + "/sales")
    page.wait_for_function(CONNECTED)
    began = time.monotonic()
    assert_stopped_cleanly(served, server, sig, served.stop(sig))
    assert time.monotonic() - began < 10  # pywry's grace (2 s) and the server's own
    # The page is not told the server stopped for good: it keeps trying to reconnect.
    page.wait_for_function("() => window.pywry.connected === false")
    assert page.locator("#pywry-banner", has_text="stopped").count() == 0


@pytest.mark.parametrize("server", SERVERS)
def test_a_page_comes_back_by_itself_when_the_server_is_restarted(servers, page, server):
    served = servers(server)
    log_in(page, served.base)
    page.goto(served.base + "/sales")
    page.wait_for_function(CONNECTED)
    assert_stopped_cleanly(served, server, signal.SIGINT, served.stop(signal.SIGINT))
    page.wait_for_function("() => window.pywry.connected === false")
    servers(server, port=served.port)  # a new process: new tokens, the widget shown anew
    # The page reconnects with backoff, is refused its old token and reloads itself.
    page.wait_for_function(CONNECTED, timeout=30_000)
    click_and_see_the_answer(page, "sales")


@pytest.mark.parametrize("how", ["script", "granian"])
def test_the_embed_example_logs_in_follows_the_link_and_round_trips(servers, page, how):
    if how == "script":  # python examples/embed_litestar.py, on the port PORT names
        script = [sys.executable, str(ROOT / "examples" / "embed_litestar.py")]
        served = servers(command=script, pythonpath=None, cwd=ROOT)
        assert f"embed_litestar: open {served.base}/ in your browser" in served.log
    else:  # granian --interface asgi examples.embed_litestar:app, from the repository root
        served = servers("granian", "examples.embed_litestar:app", pythonpath=None, cwd=ROOT)
    page.goto(served.base + "/")
    expect(page.locator("h1")).to_have_text("Welcome")
    anonymous = httpx.get(served.base + "/apps/widget/counter")
    assert anonymous.status_code == 401
    page.click("#login")
    expect(page.locator("h1")).to_have_text("Welcome, guest")
    page.click("#counter")
    page.wait_for_url(served.base + "/apps/widget/counter")
    page.wait_for_function(CONNECTED)
    page.click("#click")
    expect(page.locator("#count")).to_have_text("1")
    page.go_back()
    page.click("#report")
    page.wait_for_url(served.base + "/apps/widget/report-1")
    expect(page.locator("h1")).to_have_text("Report 1")
    assert served.stop(signal.SIGINT) == 0, served.log
    assert_clean(served.log)
