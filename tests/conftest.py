from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pywry import PyWry, WindowMode
from pywry.testing import FakeBrowserLauncher

CHROMIUM = os.environ.get("PYWRY_TEST_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(autouse=True)
def _apart_from_the_machine(pywry_isolated: None) -> None:
    """No test reads the developer's pywry config, env vars or working directory."""


def quick_settings(**server: Any) -> dict[str, Any]:
    """Settings for tests: a free port, no browser, a short reconnect grace."""
    return {"server": {"port": 0, "reconnect_grace": 0.3, **server}, "headless": True}


@pytest.fixture
def make_app() -> Iterator[Callable[..., PyWry]]:
    """Build PyWry apps on a free port with a recording launcher; all destroyed afterwards."""
    apps: list[PyWry] = []

    def make(*, launcher: FakeBrowserLauncher | None = None, **server: Any) -> PyWry:
        app = PyWry(mode=WindowMode.BROWSER, settings=quick_settings(**server))
        app.container.browser_launcher.override(launcher or FakeBrowserLauncher())
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.destroy()


def fake_settings(**server: Any) -> dict[str, Any]:
    """Settings for apps of fakes (``pywry_app_factory``): a short reconnect grace."""
    return {"server": {"reconnect_grace": 0.2, **server}}


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """One headless Chromium (Debian's) for the whole run, driven by Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run `make test` (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    profile = tempfile.mkdtemp(prefix="pywry-chromium-")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(10_000)
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.js_errors = errors
    yield page
    context.close()


@pytest.fixture
def new_page(browser: Any) -> Iterator[Callable[[], Any]]:
    contexts: list[Any] = []

    def make() -> Any:
        context = browser.new_context()
        contexts.append(context)
        page = context.new_page()
        page.set_default_timeout(10_000)
        return page

    yield make
    for context in contexts:
        context.close()


def run_async(coro: Any, timeout: float = 30) -> Any:
    """Run ``coro`` to completion in a thread of its own.

    Playwright's sync API leaves an event loop running in the main thread, so
    ``asyncio.run`` there fails once a browser test has run; a fresh thread has none.
    """
    import asyncio
    import threading

    result: dict[str, Any] = {}

    def target() -> None:
        try:
            result["value"] = asyncio.run(coro)
        except BaseException as exc:
            result["error"] = exc

    thread = threading.Thread(target=target, daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise TimeoutError(f"the async test body did not finish within {timeout} s")
    if "error" in result:
        raise result["error"]
    return result.get("value")


class RedisServer:
    """A real ``redis-server`` (Debian's) on a free loopback port, with no persistence."""

    def __init__(self) -> None:
        import socket
        import subprocess

        if shutil.which("redis-server") is None:
            pytest.fail(
                "redis-server is missing: run `make test` (it installs Debian's redis-server)"
            )
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.dir = tempfile.mkdtemp(prefix="pywry-redis-")
        self.proc: subprocess.Popen[bytes] | None = None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        import subprocess

        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self.wait_ready()

    def wait_ready(self, timeout: float = 10.0) -> None:
        import socket
        import time

        deadline = time.monotonic() + timeout
        while True:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as conn:
                    conn.sendall(b"PING\r\n")
                    if conn.recv(16).startswith(b"+PONG"):
                        return
            except OSError:
                pass
            assert self.proc is not None, "redis-server was not started"
            assert self.proc.poll() is None, "redis-server exited"
            assert time.monotonic() < deadline, f"redis-server did not answer within {timeout} s"
            threading_event_wait(0.02)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(10)
        self.proc = None


def threading_event_wait(seconds: float) -> None:
    """Wait a little between polls of a condition that has no event to wait on."""
    import threading

    threading.Event().wait(seconds)


@pytest.fixture(scope="session")
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    yield server
    server.stop()
    shutil.rmtree(server.dir, ignore_errors=True)


@pytest.fixture
def redis_url(redis_server: RedisServer) -> str:
    """The URL of the session's redis-server, restarted if a test stopped it."""
    if redis_server.proc is None or redis_server.proc.poll() is not None:
        redis_server.start()
    return redis_server.url


@pytest.fixture
def redis_prefix() -> str:
    """A key prefix of the test's own, so tests sharing one redis-server share nothing."""
    import secrets

    return f"t{secrets.token_hex(6)}"
