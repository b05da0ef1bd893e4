"""A user's project, in a fresh virtual environment with pywry and pytest installed from
wheels: the plugin loads by itself, the user's tests pass, and fail when the widget breaks.

The wheels come from ``make test`` (``.venv/wheelhouse``), so nothing is downloaded here.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WHEELHOUSE = Path(sys.prefix) / "wheelhouse"

WIDGETS = '''
from pywry import PyWry


def show_counter(app: PyWry):
    """A button that counts its clicks and answers what the count is."""
    count = {"n": 0}

    def on_click(data):
        count["n"] += data.get("by", 1)
        handle.emit("app:count", {"n": count["n"]})

    def on_total(data):
        return count["n"]

    handle = app.show(
        "<button>+</button>",
        label="counter",
        callbacks={"app:click": on_click, "app:total": on_total},
    )
    return handle
'''

USER_TESTS = """
import pytest

from widgets import show_counter


def test_a_click_counts(pywry_app, pywry_page):
    show_counter(pywry_app)
    page = pywry_page("counter")
    page.emit("app:click", {"by": 2}, wait=True)
    assert page.wait_for("app:count") == {"n": 2}


def test_the_page_can_ask_for_the_total(pywry_app, pywry_page):
    show_counter(pywry_app)
    page = pywry_page()
    page.emit("app:click", {"by": 3})
    assert page.call("app:total") == 3


@pytest.mark.pywry_isolated
def test_the_machine_settings_do_not_leak_in(pywry_app):
    assert pywry_app.settings.server.port == 8765


@pytest.mark.anyio
async def test_an_async_test_awaits_the_page(pywry_app, pywry_async_page):
    show_counter(pywry_app)
    page = await pywry_async_page("counter")
    await page.emit("app:click", {"by": 5}, wait=True)
    assert await page.wait_for("app:count") == {"n": 5}


@pytest.fixture
def anyio_backend():
    return "asyncio"
"""


def run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTEST_ADDOPTS")}
    env["PYWRY_SERVER__PORT"] = "9999"  # the machine's setting, which isolation keeps out
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a fresh virtual environment with pywry and pytest installed."""
    if not (WHEELHOUSE / ".done").exists():
        pytest.fail(f"no wheels at {WHEELHOUSE}: run `make test` (it makes them)")
    where = tmp_path_factory.mktemp("fresh")
    offline = ["--no-index", "--find-links", WHEELHOUSE]
    built = run(sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", *offline,
                "--wheel-dir", where / "dist", ROOT)  # fmt: skip
    assert built.returncode == 0, built.stderr[-3000:]
    made = run(sys.executable, "-m", "venv", where / "env")
    assert made.returncode == 0, made.stderr[-3000:]
    python = where / "env" / "bin" / "python"
    installed = run(python, "-m", "pip", "install", "-q", *offline,
                    "--find-links", where / "dist", "pywry", "pytest")  # fmt: skip
    assert installed.returncode == 0, installed.stderr[-3000:]
    return python


def project(root: Path, widgets: str) -> Path:
    root.mkdir()
    (root / "widgets.py").write_text(textwrap.dedent(widgets))
    (root / "test_widgets.py").write_text(textwrap.dedent(USER_TESTS))
    return root


@pytest.mark.timeout(300)
def test_the_users_tests_pass_with_only_the_documented_fixtures(python, tmp_path):
    done = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               cwd=project(tmp_path / "app", WIDGETS))  # fmt: skip
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "4 passed" in done.stdout
    assert str(ROOT) not in run(python, "-c", "import pywry; print(pywry.__file__)").stdout


@pytest.mark.timeout(300)
def test_the_users_tests_fail_when_the_widget_is_broken(python, tmp_path):
    broken = WIDGETS.replace('count["n"] += data.get("by", 1)', 'count["n"] += data["step"]')
    done = run(python, "-m", "pytest", "-q", "-p", "no:cacheprovider",
               cwd=project(tmp_path / "app", broken))  # fmt: skip
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "3 failed, 1 passed" in done.stdout
    assert "KeyError: 'step'" in done.stdout
    assert "raised by callback" in done.stdout  # the callback's error is the test's
