"""The contenders and the processes that serve them.

A contender is an interpreter plus a way to import an app: the PyWry release in its own
virtual environment, this project's pywry in the runner's interpreter (with this checkout's
``src/`` on its path), and the floors (``bench/floor.py``, ``bench/floor_granian.py``) in
the runner's interpreter. Each measurement starts a fresh server process
(``bench/scenario.py``) and talks to it over stdio.
"""

from __future__ import annotations

import os
import queue
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import proc
from scenario import ASYNC_CALLBACKS

__all__ = [
    "BENCH",
    "CACHE",
    "RELEASE_SPEC",
    "Contender",
    "ServerProcess",
    "ensure_venv",
    "free_port",
    "probe_ours",
]

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
SRC = BENCH.parent / "src"
RELEASE_SPEC = "pywry[notebook]==2.0.6"


@dataclass(frozen=True)
class Contender:
    name: str  # "release" | "ours" | "floor" | "granian"
    python: str
    title: str

    @property
    def async_callbacks(self) -> bool:
        """Whether its round trips are also measured with an ``async def`` callback."""
        return self.name in ASYNC_CALLBACKS

    def import_code(self) -> str:
        return {"floor": "import floor", "granian": "import floor_granian"}.get(
            self.name, "import pywry"
        )

    def cwd(self) -> Path:
        # The floors live in bench/; the others must not see bench/ or src/ by accident.
        return BENCH if self.name in ("floor", "granian") else CACHE


def ensure_venv(path: Path, packages: list[str], log: Path) -> str:
    """Create ``path`` with ``packages`` once and reuse it; return its interpreter."""
    python = path / "bin" / "python"
    marker = path / ".bench-installed"
    wanted = "\n".join(packages)
    if marker.exists() and marker.read_text() == wanted:
        return str(python)
    print(f"bench: creating {path.relative_to(BENCH.parent)} ({', '.join(packages)})", flush=True)
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(path)], check=True)
    with log.open("w") as out:
        subprocess.run(
            [str(python), "-m", "pip", "install", "--disable-pip-version-check", *packages],
            check=True,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    marker.write_text(wanted)
    return str(python)


def probe_ours(python: str) -> str | None:
    """None when this project's pywry offers the public API; else why not."""
    proc = subprocess.run(
        [python, "-c", "from pywry import PyWry, WindowMode"],
        cwd=CACHE,
        env=bench_env(free_port(), Contender("ours", python, "")),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if proc.returncode == 0:
        return None
    lines = proc.stderr.strip().splitlines()
    return lines[-1] if lines else f"exit code {proc.returncode}"


def free_port() -> int:
    """A port nobody listens on now (the kernel's pick), for one server process."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def bench_env(port: int, contender: Contender) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYWRY_", "PYTHON"))}
    env.pop("VIRTUAL_ENV", None)
    if contender.name != "release":
        # This checkout's pywry (ours, and the Granian floor's runner), whichever pywry the
        # runner's interpreter has installed (an editable install may point elsewhere).
        env["PYTHONPATH"] = str(SRC)
    env["PYWRY_HEADLESS"] = "1"
    env["PYWRY_SERVER__PORT"] = str(port)
    env["PYWRY_SERVER__HOST"] = "127.0.0.1"
    return env


class ServerProcess:
    """One scenario server: started at once, read line by line, stopped for sure.

    ``script`` is the app it runs, in ``bench/`` (``scenario.py`` unless a benchmark has
    its own, such as ``payloads_server.py``); it takes ``--contender`` and ``--widgets``.
    ``env``: variables set for it on top of the benchmark's own.
    """

    def __init__(
        self,
        contender: Contender,
        *,
        widgets: int = 1,
        script: str = "scenario.py",
        env: dict[str, str] | None = None,
    ) -> None:
        self.contender = contender
        self.port = free_port()
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        self.phases: dict[str, dict[str, float]] = {}
        cmd = [contender.python, str(BENCH / script), "--contender", contender.name]
        cmd += ["--widgets", str(widgets)]
        self.t_exec = time.perf_counter()
        self.proc = subprocess.Popen(
            cmd,
            cwd=contender.cwd(),
            env={**bench_env(self.port, contender), **(env or {})},
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.pid = self.proc.pid
        threading.Thread(target=self._pump, args=(self.proc.stdout, True), daemon=True).start()
        threading.Thread(target=self._pump, args=(self.proc.stderr, False), daemon=True).start()

    def _pump(self, stream: object, is_stdout: bool) -> None:
        for raw in stream:  # type: ignore[attr-defined]
            line = raw.rstrip("\n")
            if is_stdout and line.startswith("PHASE "):
                _, name, mono, rss = line.split()
                self.phases[name] = {"monotonic": float(mono), "rss_kib": float(rss)}
            elif is_stdout:
                self.lines.put(line)
            self.log.append(("" if is_stdout else "! ") + line)
            del self.log[:-200]
        if is_stdout:
            self.lines.put("<EOF>")

    def wait_for(self, prefix: str, timeout: float) -> tuple[str, float]:
        """The next stdout line that starts with ``prefix``, and when it was read."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"{self.contender.name}: no '{prefix}' in {timeout} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            if line == "<EOF>":
                tail = "\n".join(self.log[-30:])
                raise RuntimeError(f"{self.contender.name} server exited early:\n{tail}")
            if line.startswith(prefix):
                return line, time.perf_counter()

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def cpu(self) -> float:
        """The server process's CPU time (all threads, user + system), in seconds."""
        self.send("cpu")
        line, _ = self.wait_for("CPU ", 10)
        return float(line.split()[1])

    def rss_kib(self) -> int:
        return proc.rss_kib(self.pid)

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=8)
            except (OSError, subprocess.TimeoutExpired, ValueError):
                self.proc.kill()
                self.proc.wait(timeout=5)
