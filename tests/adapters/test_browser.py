"""SystemBrowserLauncher and NullBrowserLauncher: open a browser, or print the URL once."""

from __future__ import annotations

import io
import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

import pytest

from pywry.adapters.browser import NullBrowserLauncher, SystemBrowserLauncher
from pywry.domain.ports import LaunchResult

URL = "http://127.0.0.1:8765/widget/chart"


class Recorder:
    """An opener that remembers the URLs it was asked to open."""

    def __init__(self, answer: bool = True) -> None:
        self.answer = answer
        self.urls: list[str] = []

    def __call__(self, url: str) -> bool:
        self.urls.append(url)
        return self.answer


class SignallingStream(io.StringIO):
    """A text stream that lets a test wait for the launcher's line."""

    def __init__(self) -> None:
        super().__init__()
        self.flushed = threading.Event()

    def flush(self) -> None:
        super().flush()
        self.flushed.set()


def make(
    tmp_path: Path,
    *,
    environ: dict[str, str] | None = None,
    platform: str = "linux",
    opener: Callable[[str], bool] | None = None,
    headless: bool = False,
    timeout: float = 5.0,
) -> tuple[SystemBrowserLauncher, io.StringIO]:
    stream = io.StringIO()
    launcher = SystemBrowserLauncher(
        headless=headless,
        environ={} if environ is None else environ,
        platform=platform,
        stream=stream,
        opener=opener,
        timeout=timeout,
        osrelease=tmp_path / "osrelease",  # absent: not WSL unless a test writes it
    )
    return launcher, stream


def printed_line(reason: str) -> str:
    return f"pywry: open {URL} in your browser ({reason})\n"


def test_headless_prints_the_url_and_opens_nothing(tmp_path):
    opener = Recorder()
    launcher, stream = make(tmp_path, environ={"DISPLAY": ":0"}, opener=opener, headless=True)
    result = launcher.open(URL)
    assert result == LaunchResult(False, "headless mode is on (PYWRY_HEADLESS)")
    assert stream.getvalue() == printed_line(result.reason)
    assert opener.urls == []


def test_linux_without_a_display_prints_the_url(tmp_path):
    opener = Recorder()
    launcher, stream = make(tmp_path, opener=opener)
    result = launcher.open(URL)
    assert not result.opened
    assert "no display found" in result.reason
    assert stream.getvalue() == printed_line(result.reason)
    assert opener.urls == []


@pytest.mark.parametrize("variable", ["DISPLAY", "WAYLAND_DISPLAY"])
def test_linux_with_a_display_opens_the_browser(tmp_path, variable):
    opener = Recorder()
    launcher, stream = make(tmp_path, environ={variable: ":0"}, opener=opener)
    assert launcher.open(URL) == LaunchResult(True)
    assert opener.urls == [URL]
    assert stream.getvalue() == ""


@pytest.mark.parametrize("browser", ["lynx", "w3m %s", "/usr/bin/elinks:links2", "www-browser"])
def test_a_browser_variable_naming_only_text_browsers_prints_the_url(tmp_path, browser):
    opener = Recorder()
    launcher, stream = make(tmp_path, environ={"DISPLAY": ":0", "BROWSER": browser}, opener=opener)
    result = launcher.open(URL)
    assert not result.opened
    assert result.reason.startswith("BROWSER names only a text browser")
    assert stream.getvalue() == printed_line(result.reason)
    assert opener.urls == []


def test_a_graphical_browser_variable_is_used_even_without_a_display(tmp_path):
    opener = Recorder()
    launcher, stream = make(tmp_path, environ={"BROWSER": "lynx:remote-open %s"}, opener=opener)
    assert launcher.open(URL).opened
    assert opener.urls == [URL]
    assert stream.getvalue() == ""


def test_an_opener_that_fails_leads_to_the_printed_url(tmp_path):
    launcher, stream = make(tmp_path, environ={"DISPLAY": ":0"}, opener=Recorder(answer=False))
    result = launcher.open(URL)
    assert result == LaunchResult(False, "the browser did not start")
    assert stream.getvalue() == printed_line("the browser did not start")


def test_an_opener_that_raises_is_reported_not_raised(tmp_path):
    def explode(url: str) -> bool:
        raise OSError("no such program")

    launcher, stream = make(tmp_path, environ={"DISPLAY": ":0"}, opener=explode)
    result = launcher.open(URL)
    assert not result.opened
    assert "no such program" in result.reason
    assert stream.getvalue() == printed_line(result.reason)


def test_wsl_is_recognised_by_its_distro_variable(tmp_path):
    opener = Recorder()
    launcher, stream = make(tmp_path, environ={"WSL_DISTRO_NAME": "Ubuntu"}, opener=opener)
    assert launcher.open(URL).opened
    assert opener.urls == [URL]
    assert stream.getvalue() == ""


def test_wsl_is_recognised_by_its_kernel_release(tmp_path):
    (tmp_path / "osrelease").write_text("5.15.153.1-microsoft-standard-WSL2\n")
    opener = Recorder()
    launcher, _ = make(tmp_path, opener=opener)
    assert launcher.open(URL).opened
    assert opener.urls == [URL]


def test_a_plain_linux_kernel_release_is_not_wsl(tmp_path):
    (tmp_path / "osrelease").write_text("6.1.0-18-amd64\n")
    opener = Recorder()
    launcher, _ = make(tmp_path, opener=opener)
    assert not launcher.open(URL).opened
    assert opener.urls == []


def test_wsl_opens_the_windows_browser_through_wslview_on_path(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wslview = bin_dir / "wslview"
    wslview.write_text('#!/bin/sh\nprintf "%s" "$1" > "$(dirname "$0")/opened"\n')
    wslview.chmod(0o755)
    environ = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": str(bin_dir)}
    launcher, stream = make(tmp_path, environ=environ)
    assert launcher.open(URL) == LaunchResult(True)
    assert (bin_dir / "opened").read_text() == URL
    assert stream.getvalue() == ""


def test_wsl_without_an_opener_or_display_prints_the_url(tmp_path):
    environ = {"WSL_DISTRO_NAME": "Ubuntu", "PATH": str(tmp_path)}
    launcher, stream = make(tmp_path, environ=environ)
    result = launcher.open(URL)
    assert not result.opened
    assert "wslview" in result.reason
    assert stream.getvalue() == printed_line(result.reason)


@pytest.mark.parametrize("platform", ["darwin", "win32"])
def test_macos_and_windows_need_no_display_variable(tmp_path, platform):
    opener = Recorder()
    launcher, _ = make(tmp_path, platform=platform, opener=opener)
    assert launcher.open(URL).opened
    assert opener.urls == [URL]


def test_the_default_opener_refuses_a_text_browser_chosen_by_webbrowser(tmp_path, monkeypatch):
    def never(*args: object, **kwargs: object) -> bool:
        raise AssertionError("webbrowser.open falls through to console browsers")

    monkeypatch.setattr(webbrowser, "get", lambda using=None: webbrowser.GenericBrowser("lynx"))
    monkeypatch.setattr(webbrowser, "open", never)
    launcher, stream = make(tmp_path, environ={"DISPLAY": ":0"})
    result = launcher.open(URL)
    assert result == LaunchResult(False, "only a text browser (lynx) is available")
    assert stream.getvalue() == printed_line(result.reason)


def test_a_slow_opener_does_not_block_and_a_late_failure_still_prints_once(tmp_path):
    release = threading.Event()

    def slow(url: str) -> bool:
        release.wait(10)
        return False

    stream = SignallingStream()
    launcher = SystemBrowserLauncher(
        environ={"DISPLAY": ":0"}, platform="linux", stream=stream, opener=slow, timeout=0.05
    )
    started = time.monotonic()
    result = launcher.open(URL)
    assert time.monotonic() - started < 2
    assert result == LaunchResult(True, "the browser is still starting")
    assert stream.getvalue() == ""
    release.set()
    assert stream.flushed.wait(5)
    assert stream.getvalue() == printed_line("the browser did not start")


def test_the_url_line_goes_to_standard_output_by_default(tmp_path, capsys):
    launcher = SystemBrowserLauncher(headless=True, environ={}, osrelease=tmp_path / "none")
    launcher.open(URL)
    captured = capsys.readouterr()
    assert captured.out == printed_line("headless mode is on (PYWRY_HEADLESS)")
    assert captured.err == ""


def test_the_null_launcher_opens_nothing_and_prints_nothing(capsys):
    assert NullBrowserLauncher().open(URL) == LaunchResult(False, "browser launching is off")
    assert capsys.readouterr() == ("", "")
