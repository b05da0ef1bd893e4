"""Deploy mode as a user runs it: ``deploy()`` in a script and ``pywry deploy module:attr``,
each a new process serving Chromium on a fixed port, stopped with SIGTERM and started again.

After the restart the open page gets its widget back by itself: it was told the server is
restarting, reconnects with backoff, is refused in-band (the new process has new tokens),
reloads once and connects. The test never reloads or navigates it.
"""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tabs import wait_connected

pytestmark = [pytest.mark.e2e, pytest.mark.server]

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "deploy_app.py"
PYWRY = Path(sys.executable).with_name("pywry")  # the installed console script
LISTENING = re.compile(r"pywry deploy server listening on (https?://\S+)")

# Plain PyWry(): deploy mode comes from `pywry deploy` alone (PYWRY_DEPLOY_MODE); were it
# off, show() would serve in browser mode at import time and deploy() would refuse.
APP = """
import os

from pywry import PyWry

widgets = PyWry()


def on_click(data):
    board.emit("app:pong", {"pid": os.getpid(), "n": data["n"]})


board = widgets.show(
    "<button id=ping onclick=\\"pywry.emit('app:click', {n: ++window.clicks})\\">ping</button>"
    "<script>window.clicks = 0</script>",
    label="board",
    callbacks={"app:click": on_click},
)
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Served:
    """A deploy server in a subprocess; its output (stderr and stdout) can be awaited."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
            cwd=cwd,
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)  # end of output: the process is gone

    def wait_line(self, pattern: re.Pattern[str], timeout: float = 20) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                line = None
            if line is None:
                raise AssertionError(
                    f"no line matching {pattern.pattern!r} (exit code {self.proc.poll()}):\n"
                    + "".join(self.output)
                )
            match = pattern.search(line)
            if match:
                return match

    def terminate(self, timeout: float = 20) -> tuple[int, str]:
        """SIGTERM; the exit code and all the output once the process is gone."""
        self.proc.send_signal(signal.SIGTERM)
        code = self.proc.wait(timeout)
        self._reader.join(5)
        return code, "".join(self.output)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(10)


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., tuple[Served, str]]]:
    """Start ``argv`` in ``tmp_path`` with PYWRY_SERVER__PORT=``port``; the process and the
    base URL it logs once it listens."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWRY_")}
    # No user config; headless only as a safety net: deploy mode never opens a browser.
    env.update(
        PYWRY_CONFIG_FILE=str(tmp_path / "none.toml"),
        PYWRY_HEADLESS="1",
        PYTHONUNBUFFERED="1",
    )
    running: list[Served] = []

    def start(argv: list[str], port: int) -> tuple[Served, str]:
        served = Served(argv, {**env, "PYWRY_SERVER__PORT": str(port)}, tmp_path)
        running.append(served)
        return served, served.wait_line(LISTENING).group(1)

    yield start
    for served in running:
        served.kill()


def assert_stopped_cleanly(code: int, output: str) -> None:
    assert code == 0, output
    assert "received SIGTERM" in output
    assert "stopping the pywry deploy server" in output
    assert "Traceback" not in output, output
    assert "panic" not in output.lower(), output


def survives_a_restart(
    page: Any,
    start: Callable[[], tuple[Served, str]],
    url: str,
    round_trip: Callable[[Any, Served, int], None],
) -> None:
    """Open ``url``, round trip, SIGTERM, start again: the same tab works by itself."""
    first, base = start()
    assert url.startswith(base + "/")
    loads: list[str] = []
    page.on("load", lambda _: loads.append(page.url))
    page.goto(url)
    wait_connected(page)
    url = page.url  # after any redirect
    round_trip(page, first, 1)
    round_trip(page, first, 2)
    page.evaluate(
        "() => pywry.on('pywry:server-restarting', () => { window.restartingTold = true; })"
    )

    code, output = first.terminate()
    assert_stopped_cleanly(code, output)
    # Told before the socket closed (1012), so it reconnects rather than giving up.
    page.wait_for_function("() => window.restartingTold === true && !pywry.connected")
    assert "restarting" in page.locator("#pywry-banner").inner_text()
    assert loads == [url]

    stopped = time.monotonic()
    with page.expect_event("load", timeout=20_000):  # the page's own reload, not ours
        second, _ = start()
    wait_connected(page, timeout=20_000)
    recovered = time.monotonic() - stopped
    assert loads == [url, url]
    assert page.evaluate("() => performance.getEntriesByType('navigation')[0].type") == "reload"
    round_trip(page, second, 1)  # the new process answers: its state starts afresh
    assert recovered < 20

    code, output = second.terminate()
    assert_stopped_cleanly(code, output)


@pytest.mark.timeout(90)
def test_deploy_in_the_example_serves_stops_on_sigterm_and_its_page_comes_back(serve, page):
    port = free_port()

    def start() -> tuple[Served, str]:
        return serve([sys.executable, str(EXAMPLE)], port)

    def click(page: Any, served: Served, n: int) -> None:
        page.click("#click")
        page.wait_for_function(f"() => document.getElementById('count').textContent === '{n}'")

    # "/" is the example's own route, a redirect to the widget.
    survives_a_restart(page, start, f"http://127.0.0.1:{port}/", click)
    assert page.url == f"http://127.0.0.1:{port}/widget/dashboard"
    assert page.js_errors == []


@pytest.mark.timeout(90)
def test_pywry_deploy_serves_a_module_from_the_current_directory_and_survives_a_restart(
    serve, page, tmp_path
):
    (tmp_path / "deployed_app.py").write_text(textwrap.dedent(APP))
    port = free_port()

    def start() -> tuple[Served, str]:
        return serve([str(PYWRY), "deploy", "deployed_app:widgets"], port)

    def ping(page: Any, served: Served, n: int) -> None:
        page.evaluate(
            "() => { window.pong = null; pywry.on('app:pong', d => { window.pong = d; }); }"
        )
        page.click("#ping")
        page.wait_for_function("() => window.pong !== null")
        assert page.evaluate("() => window.pong") == {"pid": served.proc.pid, "n": n}

    survives_a_restart(page, start, f"http://127.0.0.1:{port}/widget/board", ping)
    assert page.js_errors == []


@pytest.mark.timeout(60)
def test_pywry_deploy_serves_a_file_path_target_on_the_port_given(serve, tmp_path):
    port = free_port()
    # --port wins over PYWRY_SERVER__PORT (which points at a port nobody listens on).
    served, base = serve(
        [str(PYWRY), "deploy", f"{EXAMPLE}:widgets", "--port", str(port)], free_port()
    )
    assert base == f"http://127.0.0.1:{port}"
    answer = httpx.get(f"{base}/widget/dashboard")
    assert answer.status_code == 200
    assert "<h1>Dashboard</h1>" in answer.text
    code, output = served.terminate()
    assert_stopped_cleanly(code, output)
