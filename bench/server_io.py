"""How a benchmark's server process talks to its runner: lines on stdout, commands on stdin.

Standard library only: every contender's interpreter imports it (the script's folder is on
its path), the release's too.
"""

from __future__ import annotations

import queue
import sys
import threading

__all__ = ["commands_from_stdin", "say"]


def say(*parts: object) -> None:
    """One line to the runner, flushed at once."""
    sys.stdout.write(" ".join(str(p) for p in parts) + "\n")
    sys.stdout.flush()


def commands_from_stdin(commands: queue.Queue[str]) -> None:
    """Put the runner's commands in ``commands``, one per line, read on a thread of their
    own; ``quit`` last (the script's callbacks may put commands there too)."""

    def read() -> None:
        for line in sys.stdin:
            commands.put(line.strip())
        commands.put("quit")

    threading.Thread(target=read, daemon=True).start()
