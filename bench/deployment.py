"""``pywry deploy bench/deploy_app.py:widgets --workers N``: the served app under test.

Started as its own process group on a free port, pointed at a Redis; its output is read
on a thread so the benchmarks can learn the workers' pids (the server names them when it
spawns them, again when it replaces one) and wait for lines of it.
"""

from __future__ import annotations

import contextlib
import os
import queue
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from contenders import free_port

__all__ = ["APP", "Deployment"]

APP = Path(__file__).resolve().parent / "deploy_app.py"
PYWRY = Path(sys.executable).parent / "pywry"

_SPAWNED = re.compile(r"Spawning (worker-\d+) with PID: (\d+)")


class Deployment:
    """``pywry deploy bench/deploy_app.py:widgets --workers N`` on a free port, on Redis."""

    def __init__(
        self,
        *,
        workers: int,
        redis_url: str,
        widgets: int,
        env: dict[str, str] | None = None,
    ) -> None:
        self.workers = workers
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.prefix = f"bench-{secrets.token_hex(4)}"
        self.lines: list[str] = []
        self.worker_pids: dict[str, int] = {}  # Granian's worker name -> its current pid
        self.spawned: list[tuple[float, str, int]] = []  # (when, worker, pid), in order
        self._queue: queue.Queue[str] = queue.Queue()
        self._cwd = tempfile.mkdtemp(prefix="pywry-bench-deploy-")
        self._env = {
            **os.environ,
            "PYWRY_CONFIG_FILE": os.devnull,  # defaults, not a pywry.toml found on the way
            "PYWRY_DEPLOY__STATE_BACKEND": "redis",
            "PYWRY_DEPLOY__REDIS_URL": redis_url,
            "PYWRY_DEPLOY__REDIS_PREFIX": self.prefix,
            "PYWRY_BENCH_WIDGETS": str(widgets),
            **(env or {}),
        }
        self.proc: subprocess.Popen[str] | None = None

    def start(self, timeout: float = 60.0) -> None:
        self.proc = subprocess.Popen(
            [
                str(PYWRY),
                "deploy",
                f"{APP}:widgets",
                "--workers",
                str(self.workers),
                "--port",
                str(self.port),
            ],
            cwd=self._cwd,
            env=self._env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        threading.Thread(target=self._read, daemon=True).start()
        deadline = time.monotonic() + timeout
        started = 0
        while True:
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                if time.monotonic() < deadline and self.proc.poll() is None:
                    continue
                self.stop()
                raise RuntimeError(
                    f"pywry deploy --workers {self.workers} did not serve within {timeout} s: "
                    + "".join(self.lines[-20:])
                ) from None
            if self.workers == 1 and "listening on" in line:
                break
            started += "Started worker-" in line
            if self.workers > 1 and started >= self.workers:
                break
        if self.workers == 1:
            self.worker_pids["worker-1"] = self.proc.pid

    def _read(self) -> None:
        assert self.proc is not None
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            match = _SPAWNED.search(line)
            if match:
                self.worker_pids[match.group(1)] = int(match.group(2))
                self.spawned.append((time.monotonic(), match.group(1), int(match.group(2))))
            self.lines.append(line)
            self._queue.put(line)

    def wait_line(self, text: str, timeout: float) -> str | None:
        """The next line of output that contains ``text`` (None after ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                line = self._queue.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                return None
            if text in line:
                return line

    def pids(self) -> list[int]:
        """The processes serving: the workers (the process itself with one worker)."""
        return list(self.worker_pids.values())

    def main_pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def problems(self) -> list[str]:
        """Lines of its output that are warnings, errors or tracebacks."""
        keys = ("WARNING", "ERROR", "Traceback", "Error")
        return [ln.rstrip() for ln in self.lines if any(k in ln for k in keys)]

    def stop(self) -> None:
        proc = self.proc
        if proc is None or proc.poll() is not None:
            shutil.rmtree(self._cwd, ignore_errors=True)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(10)
        shutil.rmtree(self._cwd, ignore_errors=True)
