"""One app's life in one state: its legal moves, and a precise error for any other."""

from __future__ import annotations

import pytest

from pywry import IllegalTransitionError
from pywry.app.lifecycle import Lifecycle, LifecycleState


def test_an_app_runs_stops_and_stays_stopped():
    life = Lifecycle()
    assert (life.state, life.running, life.over) == (LifecycleState.NEW, False, False)
    life.move_to(LifecycleState.RUNNING)
    assert life.running
    life.move_to(LifecycleState.STOPPING)
    assert (life.running, life.over) == (False, True)
    life.check_alive()  # still stopping: what is asked is dropped, not refused
    life.move_to(LifecycleState.STOPPED)
    life.move_to(LifecycleState.STOPPED)  # idempotent
    with pytest.raises(IllegalTransitionError, match="destroyed"):
        life.check_alive()


@pytest.mark.parametrize(
    ("path", "illegal"),
    [
        ([], LifecycleState.STOPPING),  # a stop of an app that never ran has no goodbyes
        ([LifecycleState.RUNNING, LifecycleState.STOPPING], LifecycleState.RUNNING),
        ([LifecycleState.STOPPED], LifecycleState.RUNNING),
    ],
)
def test_an_illegal_move_is_named(path, illegal):
    life = Lifecycle()
    for state in path:
        life.move_to(state)
    before = life.state
    with pytest.raises(IllegalTransitionError, match=f"from {before.value} to {illegal.value}"):
        life.move_to(illegal)
    assert life.state is before
