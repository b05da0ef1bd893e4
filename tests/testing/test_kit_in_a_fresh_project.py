"""A user's project, in a fresh virtual environment with pywry and pytest installed from
wheels: the plugin loads by itself, the user's tests pass, and fail when the widget breaks.

The wheels come from ``make test`` (``.venv/wheelhouse``), so nothing is downloaded here.
"""

from __future__ import annotations

import subprocess
import textwrap
from pathlib import Path

import pytest

from fresh_venv import ROOT, build_wheel, fresh_venv
from fresh_venv import run as run_apart

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
    # The machine's setting, which the user's isolated test must keep out.
    return run_apart(*args, cwd=cwd, PYWRY_SERVER__PORT="9999")


@pytest.fixture(scope="module")
def python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The interpreter of a fresh virtual environment with pywry and pytest installed."""
    where = tmp_path_factory.mktemp("fresh")
    build_wheel(where / "dist")
    return fresh_venv(where / "env", "pywry", "pytest", find_links=where / "dist")


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
