"""Helpers for the examples' tests: an example run as a user runs it, in a process of its
own, with its output lines awaitable."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


class Script:
    """A script in a subprocess (and a process group) of its own; its stdout lines, with
    stderr among them when ``merge_stderr``, can be awaited."""

    def __init__(self, path: Path, merge_stderr: bool = False, **env: str) -> None:
        full_env = {
            **os.environ,
            "PYWRY_HEADLESS": "1",  # print the URL, open no browser
            "PYWRY_SERVER__PORT": "0",  # a free port
            "PYWRY_SERVER__RECONNECT_GRACE": "0.5",
            "PYTHONUNBUFFERED": "1",
            **env,
        }
        self.proc = subprocess.Popen(
            [sys.executable, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            text=True,
            env=full_env,
            cwd=ROOT,
            start_new_session=True,  # so that its workers, if any, end with it
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.stdout: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.stdout.append(line)
            self.lines.put(line)

    def wait_line(self, pattern: re.Pattern[str] | str, timeout: float = 15) -> re.Match[str]:
        regex = re.compile(pattern) if isinstance(pattern, str) else pattern
        while True:
            try:
                line = self.lines.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"no line matching {regex.pattern!r} (exit code {self.proc.poll()});"
                    f" got {self.stdout}"
                ) from None
            match = regex.search(line)
            if match:
                return match

    def finish(self, timeout: float = 15) -> tuple[int, str]:
        """The exit code and stderr (all output when merged) once the process has ended."""
        try:
            code = self.proc.wait(timeout)
        finally:
            self.kill()
        if self.proc.stderr is None:
            self._reader.join(5)
            return code, "".join(self.stdout)
        return code, self.proc.stderr.read()

    def ends_cleanly(self, timeout: float = 15) -> str:
        """Wait for the script to end: exit code 0, no traceback or panic in its stderr (all
        output when merged), which is returned."""
        code, output = self.finish(timeout)
        assert code == 0, output
        assert_clean(output)
        return output

    def kill(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(5)


@contextmanager
def scripts() -> Iterator[Callable[..., Script]]:
    """``start(name, **env)`` runs ``examples/<name>``; every script is killed afterwards."""
    started: list[Script] = []

    def start(name: str, *, merge_stderr: bool = False, **env: str) -> Script:
        script = Script(EXAMPLES / name, merge_stderr=merge_stderr, **env)
        started.append(script)
        return script

    try:
        yield start
    finally:
        for script in started:
            script.kill()


def assert_clean(output: str) -> None:
    assert "Traceback" not in output, output
    assert "panic" not in output.lower(), output


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
