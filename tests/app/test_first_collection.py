"""A fresh process's first full garbage collection happens as the server starts, not later.

Run in fresh interpreters: whether a full collection already happened is the process's own
history, which the test session's would hide.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_SCRIPT = """
import gc, sys
from pywry import PyWry, WindowMode
from pywry.testing import FakeBrowserLauncher, FakeServerRunner

if sys.argv[1] == "collected-before":
    gc.collect()
before = gc.get_stats()[2]["collections"]
app = PyWry(mode=WindowMode.BROWSER)
app.container.browser_launcher.override(FakeBrowserLauncher())
app.container.server_runner.override(FakeServerRunner())
app.show("<p>hi</p>", label="w")
print(before, gc.get_stats()[2]["collections"])
app.destroy()
"""


def full_collections(history: str) -> tuple[int, int]:
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT, history],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    before, after = done.stdout.split()
    return int(before), int(after)


@pytest.mark.timeout(90)
def test_a_fresh_process_has_its_first_full_collection_when_the_server_starts():
    assert full_collections("fresh") == (0, 1)


@pytest.mark.timeout(90)
def test_a_process_that_had_one_already_gets_no_other():
    assert full_collections("collected-before") == (1, 1)
