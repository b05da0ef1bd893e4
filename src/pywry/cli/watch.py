"""Watching one file for ``pywry show --watch``: each change hands its new text over.

The file is polled (its modification time, size and inode) from a daemon thread: nothing
to install, and it sees what editors do when they save (write in place, or write another
file and rename it over this one). A file that is gone for a moment while an editor saves
is waited for; one that cannot be read keeps the last content and says why.
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Callable
from pathlib import Path

__all__ = ["FileWatch", "WatchState", "read_html"]

_INTERVAL = 0.2  # seconds between looks: quick enough to feel live, cheap enough to ignore


class WatchState(enum.Enum):
    NEW = "new"
    WATCHING = "watching"
    STOPPED = "stopped"


def read_html(path: Path) -> str:
    """The file's text; ``OSError`` or ``UnicodeDecodeError`` when it cannot be read."""
    return path.read_text(encoding="utf-8")


class FileWatch:
    """Calls ``changed(text)`` after each change of ``path`` since it was made (make it
    before reading the file), ``failed(message)`` when the changed file cannot be read."""

    def __init__(
        self,
        path: Path,
        *,
        changed: Callable[[str], None],
        failed: Callable[[str], None],
        interval: float = _INTERVAL,
    ) -> None:
        self._path = path
        self._changed = changed
        self._failed = failed
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="pywry-watch", daemon=True)
        self.state = WatchState.NEW
        # Taken now, before the caller reads the file: a save between that read and the
        # start is then seen as a change, never lost.
        self._last = self._stamp()

    def start(self) -> None:
        self.state = WatchState.WATCHING
        self._thread.start()

    def stop(self) -> None:
        """Stop looking; waits for a change being handed over. Idempotent."""
        if self.state is WatchState.WATCHING:
            self._stop.set()
            if self._thread is not threading.current_thread():
                self._thread.join(5)
        self.state = WatchState.STOPPED

    def _stamp(self) -> tuple[int, int, int] | None:
        try:
            info = self._path.stat()
        except OSError:
            return None
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def _run(self) -> None:
        last = self._last
        gone_told = False
        while not self._stop.wait(self._interval):
            stamp = self._stamp()
            if stamp == last:
                continue
            last = stamp
            if stamp is None:
                if not gone_told:
                    self._failed(
                        f"{self._path} is gone; the page keeps its content until it is back"
                    )
                    gone_told = True
                continue
            gone_told = False
            try:
                text = read_html(self._path)
            except (OSError, UnicodeDecodeError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else f"not UTF-8 ({exc.reason})"
                self._failed(f"cannot read {self._path} ({reason}); the page keeps its content")
                continue
            self._changed(text)
