"""The fixtures of the GranianRunner tests: a running loop, and runners on it that are
stopped after the test, before their loop is.

A test module imports them by their function names (``loop_thread_fixture``...); pytest finds
them there under their fixture names (``loop_thread``, ``runners``, ``runner``), the names
the tests' arguments use.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pywry.adapters.granian import GranianRunner
from pywry.app.loop import LoopThread

__all__ = ["loop_thread_fixture", "runner_fixture", "runners_fixture"]


@pytest.fixture(name="loop_thread")
def loop_thread_fixture() -> Iterator[LoopThread]:
    """A started LoopThread, stopped after the test."""
    thread = LoopThread(use_uvloop=False)
    thread.start()
    yield thread
    thread.stop()


@pytest.fixture(name="runners")
def runners_fixture(loop_thread: LoopThread) -> Iterator[list[GranianRunner]]:
    """A list for the test's runners, each stopped after the test."""
    # Depends on loop_thread so that runners stop before their loop does.
    made: list[GranianRunner] = []
    yield made
    for runner in made:
        runner.stop()


@pytest.fixture(name="runner")
def runner_fixture(runners: list[GranianRunner]) -> GranianRunner:
    runners.append(GranianRunner(log_level="warning"))
    return runners[0]
