"""One pywry server driven over stdio, for the scale and soak benchmarks.

Run as a script (``python bench/loadserver.py --max-pages 200``) it is the server: this
project's pywry (``PyWry(mode=WindowMode.BROWSER)``, port 0, ``PYWRY_HEADLESS=1``) and a
command loop on stdin. :class:`LoadServer` is the benchmark's side: it starts the script,
sends commands, reads answers, and reads the process's RSS and CPU time from ``/proc``.

Commands (one line each) and answers:
  ``show <label>``                      -> ``URL <label> <url>``
  ``fan <k> <label>...``                -> ``FANNED <k> <seconds>``; emits ``bench:fan``
                                           ``{"k", "t0"}`` once to each widget
  ``burst <label> <b> <n>``             -> ``BURST <b> <n> <seconds>``; emits ``bench:seq``
                                           ``{"b", "i", "t0"}`` n times, as fast as it can
  ``pace <label> <rate> <seconds>``     -> ``PACED <n> <seconds> <max_behind>``; emits
                                           ``bench:soak`` ``{"i", "t0"}`` at ``rate``/s from
                                           a thread (other commands go on meanwhile)
  ``drop <label>``                      -> ``DROPPED <label> <count>`` (drop_connections)
  ``pages <label>``                     -> ``PAGES <label> <count>``
  ``quit``                              -> ``BYE``
``t0`` is ``time.monotonic()`` just before the emit (system-wide on Linux). Warnings the
server logs go to stderr, which :class:`LoadServer` keeps.
"""

from __future__ import annotations

import argparse
import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import proc
from server_io import commands_from_stdin, say

__all__ = ["LoadServer", "main"]

BENCH = Path(__file__).resolve().parent
PACE_TICK = 0.001  # seconds between two looks at the clock while pacing


class LoadServer:
    """The benchmark's handle on one ``loadserver.py`` process."""

    def __init__(self, *, max_pages: int, python: str = sys.executable) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYWRY_")}
        env["PYWRY_HEADLESS"] = "1"
        self.lines: queue.Queue[str] = queue.Queue()
        self.stderr: list[str] = []
        self._held: list[str] = []
        self.proc = subprocess.Popen(
            [python, str(BENCH / "loadserver.py"), "--max-pages", str(max_pages)],
            cwd=BENCH,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            bufsize=1,
        )
        self.pid = self.proc.pid
        self._ticks = os.sysconf("SC_CLK_TCK")
        threading.Thread(target=self._pump_out, daemon=True).start()
        threading.Thread(target=self._pump_err, daemon=True).start()
        self.wait_for("READY", 60)

    def _pump_out(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))
        self.lines.put("<EOF>")

    def _pump_err(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def send(self, command: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(command + "\n")
        self.proc.stdin.flush()

    def wait_for(self, prefix: str, timeout: float) -> list[str]:
        """The next stdout line starting with ``prefix``, split into words."""
        deadline = time.monotonic() + timeout
        while True:
            held = self._take_held(prefix)
            if held is not None:
                return held
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError(f"loadserver: no {prefix!r} within {timeout} s")
            try:
                line = self.lines.get(timeout=left)
            except queue.Empty:
                continue
            self._check_eof(line)
            if line.startswith(prefix):
                return line.split()
            self._held.append(line)

    def poll_line(self, prefix: str) -> list[str] | None:
        """A stdout line starting with ``prefix`` if one came; others are kept for later."""
        held = self._take_held(prefix)
        if held is not None:
            return held
        while True:
            try:
                line = self.lines.get_nowait()
            except queue.Empty:
                return None
            self._check_eof(line)
            if line.startswith(prefix):
                return line.split()
            self._held.append(line)

    def _take_held(self, prefix: str) -> list[str] | None:
        for k, line in enumerate(self._held):
            if line.startswith(prefix):
                del self._held[k]
                return line.split()
        del self._held[:-1000]  # answers nobody asked for (FANNED ...) must not pile up
        return None

    def _check_eof(self, line: str) -> None:
        if line == "<EOF>":
            tail = "\n".join(self.stderr[-30:])
            raise RuntimeError(f"loadserver exited early:\n{tail}")

    def show(self, label: str) -> str:
        self.send(f"show {label}")
        return self.wait_for("URL ", 60)[2]

    def rss_kib(self) -> int:
        return proc.rss_kib(self.pid)

    def cpu_s(self) -> float:
        """User + system CPU time of the whole process (all threads) so far."""
        with open(f"/proc/{self.pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self._ticks

    def threads(self) -> int:
        return len(os.listdir(f"/proc/{self.pid}/task"))

    def stop(self) -> None:
        if self.proc.poll() is None:
            try:
                self.send("quit")
                self.proc.wait(timeout=15)
            except (OSError, ValueError, subprocess.TimeoutExpired):
                self.proc.kill()
                self.proc.wait(timeout=5)


def _pace(handle: Any, rate: float, seconds: float) -> None:
    """Emit ``rate`` events per second for ``seconds``, catching up after any stall."""
    total = int(rate * seconds)
    emit = handle.emit
    n = 0
    max_behind = 0
    t0 = time.monotonic()
    while n < total:
        due = min(total, int((time.monotonic() - t0) * rate) + 1)
        max_behind = max(max_behind, due - n)
        while n < due:
            emit("bench:soak", {"i": n, "t0": time.monotonic()})
            n += 1
        time.sleep(PACE_TICK)
    say("PACED", n, time.monotonic() - t0, max_behind)


def main() -> None:
    parser = argparse.ArgumentParser(description="pywry server for bench/scale.py, soak.py")
    parser.add_argument("--max-pages", type=int, default=200, help="max_pages_per_widget")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from pywry import PyWry, WindowMode

    settings = {"server": {"port": 0, "max_pages_per_widget": args.max_pages}}
    app = PyWry(mode=WindowMode.BROWSER, settings=settings)
    handles: dict[str, Any] = {}
    commands: queue.Queue[str] = queue.Queue()

    commands_from_stdin(commands)
    say("READY")
    while True:
        cmd, *rest = commands.get().split() or [""]
        if cmd == "show":
            label = rest[0]
            handles[label] = app.show("<p>bench</p>", label=label)
            say("URL", label, handles[label].url)
        elif cmd == "fan":
            k, labels = int(rest[0]), rest[1:]
            t0 = time.monotonic()
            for label in labels:
                handles[label].emit("bench:fan", {"k": k, "t0": t0})
            say("FANNED", k, time.monotonic() - t0)
        elif cmd == "burst":
            label, b, n = rest[0], int(rest[1]), int(rest[2])
            emit = handles[label].emit
            t0 = time.monotonic()
            for i in range(n):
                emit("bench:seq", {"b": b, "i": i, "t0": t0})
            say("BURST", b, n, time.monotonic() - t0)
        elif cmd == "pace":
            label, rate, seconds = rest[0], float(rest[1]), float(rest[2])
            threading.Thread(
                target=_pace, args=(handles[label], rate, seconds), daemon=True
            ).start()
        elif cmd == "drop":
            label = rest[0]
            say("DROPPED", label, app.container.gateway().drop_connections(label))
        elif cmd == "pages":
            label = rest[0]
            say("PAGES", label, app.container.gateway().page_count(label))
        elif cmd == "quit":
            break
    # Stopping must not hang the benchmark: the measurements are done by now.
    threading.Timer(10.0, lambda: os._exit(0)).start()
    try:
        app.destroy()
    finally:
        say("BYE")
        os._exit(0)


if __name__ == "__main__":
    main()
