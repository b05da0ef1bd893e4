"""The testing example: a widget module and its tests, run with pytest as a user runs them,
and the widget itself run as a script in Chromium."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest

from example_scripts import EXAMPLES, ROOT, scripts

pytestmark = pytest.mark.e2e


def pytest_in(cwd, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.timeout(150)
def test_the_examples_tests_pass_as_written():
    done = pytest_in(ROOT, "examples/testing")
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "5 passed" in done.stdout


@pytest.mark.timeout(150)
def test_the_examples_tests_fail_when_the_widget_breaks(tmp_path):
    for name in ("counter_widget.py", "test_counter_widget.py"):
        shutil.copy(EXAMPLES / "testing" / name, tmp_path / name)
    widget = tmp_path / "counter_widget.py"
    source = widget.read_text()
    assert 'count["n"] += by' in source
    widget.write_text(source.replace('count["n"] += by', 'count["n"] += 1'))
    done = pytest_in(tmp_path)
    assert done.returncode == 1, done.stdout[-3000:] + done.stderr[-2000:]
    assert "2 failed, 3 passed" in done.stdout


@pytest.mark.timeout(60)
def test_the_widget_runs_as_a_script_in_the_browser(page):
    with scripts() as start:
        script = start("testing/counter_widget.py")
        page.goto(script.wait_line(r"pywry counter: (\S+)").group(1))
        page.click("#add5")
        page.click("#add")
        page.wait_for_function("() => document.getElementById('count').textContent === '6'")
        page.click("#reset")
        page.wait_for_function("() => document.getElementById('count').textContent === '0'")
        page.close()
        script.ends_cleanly()
