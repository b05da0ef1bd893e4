"""GranianRunner's side effects and TLS: users' logging left alone, nothing kept after a
stop (the runner, exit hooks), a script that exits at once, HTTPS."""

from __future__ import annotations

import gc
import logging
import socket
import ssl
import subprocess
import sys
import textwrap
import weakref
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from certs import write_pair
from granian_fixtures import loop_thread_fixture, runner_fixture, runners_fixture  # noqa: F401 - fixtures
from granian_kit import LOCAL, app, get
from pywry.adapters.granian import GranianRunner
from pywry.app.loop import LoopThread
from pywry.domain.errors import SettingsError
from pywry.domain.ports import Bind, BoundAddress, TlsMaterial

pytestmark = pytest.mark.server


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


def _serving_https(
    runner: GranianRunner, loop_thread: LoopThread, directory: Path
) -> tuple[BoundAddress, ssl.SSLContext]:
    """``runner`` started with a self-signed pair made in ``directory``, and a client context
    that trusts it."""
    certfile, keyfile = write_pair(directory, ca=True)
    tls = TlsMaterial(certfile=certfile, keyfile=keyfile)
    address = runner.start(app, Bind(LOCAL, 0, tls=tls), loop_thread.loop)
    return address, ssl.create_default_context(cafile=str(certfile))


def test_tls_material_serves_https(
    runner: GranianRunner, loop_thread: LoopThread, tmp_path: Path
) -> None:
    address, trust = _serving_https(runner, loop_thread, tmp_path)

    response = get(address, verify=trust)

    assert address.scheme == "https"
    assert (response.status_code, response.text) == (200, "ok")


def test_tls_accepts_clients_limited_to_tls_1_2(
    runner: GranianRunner, loop_thread: LoopThread, tmp_path: Path
) -> None:
    address, old_client = _serving_https(runner, loop_thread, tmp_path)
    old_client.maximum_version = ssl.TLSVersion.TLSv1_2

    with (
        socket.create_connection((LOCAL, address.port), timeout=5) as raw,
        old_client.wrap_socket(raw, server_hostname=LOCAL) as conn,
    ):
        version = conn.version()

    assert version == "TLSv1.2"
