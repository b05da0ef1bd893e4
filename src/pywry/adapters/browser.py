"""Opening the widget URL in the user's browser, or printing it when that cannot work.

A launcher must never block the user's script and never take over their terminal, so it
refuses text browsers (lynx and friends run in the terminal and wait for it), asks for no
browser on a machine without a display (SSH, containers), opens the Windows browser from
WSL, and otherwise starts the browser on a daemon thread. Whenever no browser opens, one
line with the URL goes to standard output: it is the result the user must act on, so it
belongs beside their script's own output (and shows in ``make demo`` and notebooks).
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import subprocess
import sys
import threading
import webbrowser
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TextIO

from ..app.modes import has_display
from ..domain.ports import BrowserLauncher, LaunchResult

__all__ = ["NullBrowserLauncher", "SystemBrowserLauncher"]

Opener = Callable[[str], bool]

_TEXT_BROWSERS = frozenset({"lynx", "links", "links2", "elinks", "w3m", "www-browser", "browsh"})
_WSL_OPENERS = ("wslview", "explorer.exe")


class _CannotOpen(Exception):
    """Raised by an opener that finds nothing graphical to start; carries the reason."""


def _command_name(entry: str) -> str:
    """The program a ``BROWSER`` entry or browser name runs, e.g. ``lynx`` for ``lynx %s``."""
    try:
        words = shlex.split(entry)
    except ValueError:
        words = entry.split()
    return os.path.basename(words[0]).lower() if words else ""


class _WebbrowserOpener:
    """Opens with :mod:`webbrowser`, but only graphical browsers and only one at a time.

    ``webbrowser.open`` tries every registered browser in turn, so a failing graphical one
    falls through to lynx in the user's terminal; this asks for one controller instead.
    """

    def __init__(self, browser_var: list[str]) -> None:
        self._choices = [
            entry for entry in browser_var if _command_name(entry) not in _TEXT_BROWSERS
        ]

    def __call__(self, url: str) -> bool:
        if not self._choices:
            try:
                controller = webbrowser.get()
            except webbrowser.Error:
                raise _CannotOpen("no browser found") from None
            name = _command_name(getattr(controller, "name", "") or "")
            if name in _TEXT_BROWSERS:
                raise _CannotOpen(f"only a text browser ({name}) is available")
            return bool(controller.open(url))
        for entry in self._choices:  # BROWSER, in the user's order
            try:
                if webbrowser.get(entry).open(url):
                    return True
            except webbrowser.Error:
                continue
        return False


class _DetachedOpener:
    """Runs a program with the URL as its argument, detached from the terminal (WSL)."""

    def __init__(self, program: str, *, timeout: float) -> None:
        self._program = program
        self._timeout = timeout

    def __call__(self, url: str) -> bool:
        proc = subprocess.Popen(
            [self._program, url],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        try:
            code = proc.wait(timeout=self._timeout)
        except subprocess.TimeoutExpired:
            return True  # still running: it started
        # explorer.exe exits with 1 even after opening the URL.
        return code == 0 or _command_name(self._program) == "explorer.exe"


class _Attempt:
    """One launch on a daemon thread; whoever learns of a failure last prints the URL once."""

    def __init__(self, url: str, opener: Opener, tell: Callable[[str], None]) -> None:
        self._url, self._opener, self._tell = url, opener, tell
        self._lock = threading.Lock()
        self._abandoned = False
        self.done = threading.Event()
        self.result: LaunchResult | None = None

    def run(self) -> None:
        try:
            opened = self._opener(self._url)
            result = (
                LaunchResult(True) if opened else LaunchResult(False, "the browser did not start")
            )
        except _CannotOpen as exc:
            result = LaunchResult(False, str(exc))
        except Exception as exc:  # a launcher never raises: say what happened instead
            result = LaunchResult(False, f"the browser could not be started: {exc}")
        with self._lock:
            self.result = result
            late_failure = self._abandoned and not result.opened
        self.done.set()
        if late_failure:
            self._tell(result.reason)

    def abandon(self) -> LaunchResult | None:
        """Stop waiting; the result if it arrived meanwhile, else ``None``."""
        with self._lock:
            self._abandoned = self.result is None
            return self.result


class SystemBrowserLauncher(BrowserLauncher):
    """Opens the system's graphical browser, or prints the URL when it cannot."""

    def __init__(
        self,
        *,
        headless: bool = False,
        environ: Mapping[str, str] | None = None,
        platform: str | None = None,
        stream: TextIO | None = None,
        opener: Opener | None = None,
        timeout: float = 2.0,
        osrelease: Path = Path("/proc/sys/kernel/osrelease"),
    ) -> None:
        """Create a launcher.

        Args:
            headless: Never open a browser (``PYWRY_HEADLESS``); print the URL.
            environ: Environment to judge by (``DISPLAY``, ``BROWSER``, ``PATH``, WSL);
                default ``os.environ``.
            platform: ``sys.platform`` value to judge by; default the real one.
            stream: Where the URL line goes; default ``sys.stdout`` at the time of printing.
            opener: Opens a URL and says whether it did; default a :mod:`webbrowser` opener
                that only starts graphical browsers, or ``wslview``/``explorer.exe`` on WSL.
            timeout: Seconds ``open`` waits for the opener before assuming it started.
            osrelease: The kernel release file that names WSL kernels ("microsoft").
        """
        self._headless = headless
        self._environ = os.environ if environ is None else environ
        self._platform = sys.platform if platform is None else platform
        self._stream = stream
        self._opener = opener
        self._timeout = timeout
        self._osrelease = osrelease

    def open(self, url: str) -> LaunchResult:
        """Open ``url`` in a graphical browser, or print it with the reason; never raises."""
        try:
            reason, opener = self._plan()
        except Exception as exc:
            reason, opener = f"cannot tell which browser to use: {exc}", None
        if opener is None:
            self._tell(url, reason)
            return LaunchResult(False, reason)
        attempt = _Attempt(url, opener, lambda late: self._tell(url, late))
        threading.Thread(target=attempt.run, name="pywry-browser", daemon=True).start()
        attempt.done.wait(self._timeout)
        result = attempt.abandon()
        if result is None:
            return LaunchResult(True, "the browser is still starting")
        if not result.opened:
            self._tell(url, result.reason)
        return result

    def _plan(self) -> tuple[str, Opener | None]:
        """Why no browser can open and ``None``, or ``""`` and the opener to use."""
        if self._headless:
            return "headless mode is on (PYWRY_HEADLESS)", None
        browser_var = [e for e in self._environ.get("BROWSER", "").split(os.pathsep) if e.strip()]
        names = [_command_name(entry) for entry in browser_var]
        if names and all(name in _TEXT_BROWSERS for name in names):
            return f"BROWSER names only a text browser ({', '.join(names)})", None
        if browser_var:  # the user's choice, even without a display (it may be a remote helper)
            return "", self._opener or _WebbrowserOpener(browser_var)
        if self._platform.startswith(("win", "darwin")):
            return "", self._opener or _WebbrowserOpener([])
        if self._is_wsl():
            if self._opener is not None:
                return "", self._opener
            path = self._environ.get("PATH", os.defpath)
            for program in _WSL_OPENERS:
                found = shutil.which(program, path=path)
                if found:
                    return "", _DetachedOpener(found, timeout=self._timeout)
            if not has_display(self._environ, self._platform):
                return "WSL without wslview or explorer.exe on PATH, and no display", None
        elif not has_display(self._environ, self._platform):
            return "no display found: DISPLAY and WAYLAND_DISPLAY are unset", None
        return "", self._opener or _WebbrowserOpener([])

    def _is_wsl(self) -> bool:
        if not self._platform.startswith("linux"):
            return False
        if self._environ.get("WSL_DISTRO_NAME"):
            return True
        try:
            return "microsoft" in self._osrelease.read_text(encoding="utf-8").lower()
        except OSError:
            return False

    def _tell(self, url: str, reason: str) -> None:
        stream = self._stream or sys.stdout
        # A closed or broken stream leaves nowhere to say it; the result still carries it.
        with contextlib.suppress(OSError, ValueError):
            print(f"pywry: open {url} in your browser ({reason})", file=stream, flush=True)


class NullBrowserLauncher(BrowserLauncher):
    """Opens nothing: for servers and tests that fetch the URL themselves."""

    def open(self, url: str) -> LaunchResult:
        """Do nothing and say so."""
        return LaunchResult(False, "browser launching is off")
