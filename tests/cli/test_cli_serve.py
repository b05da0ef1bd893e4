"""``pywry serve TARGET``: the real command in a subprocess serving a script's app on a free
port, fetched over HTTP; and each way a target can name nothing to serve."""

from __future__ import annotations

import re
import signal
from pathlib import Path

import httpx
import pytest
from cli_process import Running, one_error_line, run_cli

pytestmark = pytest.mark.server

SERVED = re.compile(r"^pywry serve: (?P<label>\S+) at (?P<url>\S+)$")

SCRIPT = """
from pywry import PyWry

app = PyWry()
app.show("<h1>From the module</h1>", label="main")
nothing = 42


def build():
    app.show("<h1>Built</h1>", label="built")


def forgets():
    PyWry().show("<h1>Gone</h1>", label="gone")


def make():
    made = PyWry()
    made.show("<h1>Made</h1>", label="made")
    return made


def returns_text():
    return "text"


def idle():
    return PyWry()


def quiet():
    PyWry()  # made, nothing shown
"""


@pytest.fixture
def script(tmp_path: Path) -> Path:
    (tmp_path / "dashboard.py").write_text(SCRIPT)
    (tmp_path / "lazy.py").write_text("from pywry import PyWry\n\napp = PyWry()\n")
    (tmp_path / "broken.py").write_text("import os\n\nraise RuntimeError('no database')\n")
    (tmp_path / "deployed.py").write_text(
        "from pywry import PyWry\n\napp = PyWry(settings={'deploy': {'enabled': True}})\n"
        "app.show('<p/>', label='d')\n"
    )
    return tmp_path / "dashboard.py"


def served(running: Running) -> dict[str, str]:
    urls: dict[str, str] = {}
    while True:
        line = running.line(lambda text: text.startswith("pywry serve: "))
        if line == "pywry serve: Ctrl+C stops":
            return urls
        match = SERVED.match(line)
        assert match is not None, line
        urls[match["label"]] = match["url"]


@pytest.mark.parametrize(
    ("target", "label", "text"),
    [
        ("dashboard:app", "main", "<h1>From the module</h1>"),
        ("dashboard.py:make", "made", "<h1>Made</h1>"),
        ("dashboard:make()", "made", "<h1>Made</h1>"),
        ("dashboard:build", "built", "<h1>Built</h1>"),
        # An app made and shown in the function only: its server runs, so it is served.
        ("dashboard:forgets", "gone", "<h1>Gone</h1>"),
    ],
)
def test_serve_runs_the_targets_app_until_sigterm(tmp_path, script, target, label, text):
    running = Running(tmp_path, "serve", target, "--port", "0", "--no-browser")
    try:
        urls = served(running)
        assert label in urls
        page = httpx.get(urls[label])
        assert page.status_code == 200
        assert text in page.text
    finally:
        code = running.stop(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in running.stderr
    assert "Task was destroyed" not in running.stderr  # every app stopped in order


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("nowhere:app", "no module named 'nowhere'"),
        ("missing/app.py:app", "no file missing/app.py"),
        ("dashboard:widgets", "dashboard has no attribute 'widgets'"),
        ("dashboard:nothing", "dashboard:nothing is an int, not a PyWry app"),
        ("dashboard:returns_text", "dashboard:returns_text returned a str, not a PyWry app"),
        ("dashboard:idle", "dashboard:idle shows no widgets"),
        ("lazy:app", "lazy:app shows no widgets"),
        ("deployed:app", "deployed:app is served by another server"),
        ("not a target", "is not a target"),
    ],
)
def test_a_target_that_names_nothing_to_serve_is_a_usage_error(tmp_path, script, target, message):
    done = run_cli(tmp_path, "serve", target, "--port", "0", "--no-browser")
    assert done.returncode == 2
    assert message in one_error_line(done, "serve")


def test_a_function_that_shows_nothing_is_a_usage_error(tmp_path, script):
    done = run_cli(tmp_path, "serve", "dashboard:quiet", "--port", "0", "--no-browser")
    assert done.returncode == 2
    assert done.stderr == (
        "pywry serve: error: dashboard:quiet returned None and showed no widgets on a PyWry"
        " app: return the app, or show its widgets in the function\n"
    )


def test_a_module_that_fails_shows_its_traceback_then_one_line_with_exit_code_1(tmp_path, script):
    done = run_cli(tmp_path, "serve", "broken:app")
    assert done.returncode == 1
    assert done.stderr.startswith("Traceback (most recent call last):\n")
    assert 'broken.py", line 3, in <module>' in done.stderr
    assert "pywry/cli/" not in done.stderr  # the user's frames only
    assert done.stderr.endswith(
        "pywry serve: error: importing broken raised RuntimeError: no database\n"
    )


def test_serve_help_describes_the_targets(tmp_path):
    done = run_cli(tmp_path, "serve", "--help")
    assert done.returncode == 0
    assert done.stdout.startswith("usage: pywry serve [-h] [--host HOST] [--port PORT]")
    for text in ("module:app", "script.py:app", "a function that shows widgets", "exit codes"):
        assert text in done.stdout
