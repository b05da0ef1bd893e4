"""Running the real ``pywry`` command in a subprocess, apart from the machine's settings."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pywry

SRC = str(Path(pywry.__file__).resolve().parent.parent)  # this checkout's, first
CONSOLE_SCRIPT = Path(sys.executable).parent / "pywry"


def cli_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a command run in ``tmp_path``: no PYWRY_* of the machine, no user
    config file, this checkout's pywry first."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWRY_")}
    env.update(
        PYTHONPATH=SRC,
        PYWRY_CONFIG_FILE=os.devnull,
        XDG_CONFIG_HOME=str(tmp_path / "xdg"),
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def run_cli(
    tmp_path: Path, *args: str, timeout: float = 30, **env: str
) -> subprocess.CompletedProcess[str]:
    """``python -m pywry.cli args`` to its end, in ``tmp_path``."""
    return subprocess.run(
        [sys.executable, "-m", "pywry.cli", *args],
        cwd=tmp_path,
        env=cli_env(tmp_path, **env),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def one_error_line(done: subprocess.CompletedProcess[str], command: str) -> str:
    """The one line a failed command printed on stderr (no traceback)."""
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith(f"pywry {command}: error: "), done.stderr
    return lines[0]


class Running:
    """A server command running in the background; its output read line by line."""

    def __init__(self, tmp_path: Path, *args: str, **env: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "pywry.cli", *args],
            cwd=tmp_path,
            env=cli_env(tmp_path, **env),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        self.lines: queue.Queue[str | None] = queue.Queue()
        self.seen: list[str] = []
        self._errors: list[str] = []
        self._error_lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self._err_reader = threading.Thread(target=self._read_errors, daemon=True)
        self._err_reader.start()

    @property
    def stderr(self) -> str:
        return "".join(self._errors)

    def _read_errors(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:  # read all along: a full pipe would stall the server
            self._errors.append(line)
            self._error_lines.put(line.rstrip("\n"))
        self._error_lines.put(None)

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put(None)

    def line(self, wanted: Callable[[str], bool], timeout: float = 20) -> str:
        """The first line of stdout that is ``wanted``, waiting for it."""
        return self._first(self.lines, wanted, timeout)

    def error_line(self, wanted: Callable[[str], bool], timeout: float = 20) -> str:
        """The first line of stderr that is ``wanted``, waiting for it."""
        return self._first(self._error_lines, wanted, timeout)

    def _first(
        self, lines: queue.Queue[str | None], wanted: Callable[[str], bool], timeout: float
    ) -> str:
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            assert left > 0, f"no such line; stdout: {self.seen}, stderr: {self.stderr}"
            try:
                line = lines.get(timeout=left)
            except queue.Empty:
                continue
            if line is None:
                self.process.wait(10)
                self._err_reader.join(10)
                raise AssertionError(f"the command ended: {self.seen} {self.stderr}")
            self.seen.append(line)
            if wanted(line):
                return line

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 15) -> int:
        """Send ``sig``; the exit code once the command ended (its stderr in ``stderr``)."""
        if self.process.poll() is None:
            self.process.send_signal(sig)
        try:
            code = self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            raise
        self._err_reader.join(10)
        return code
