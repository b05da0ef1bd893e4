"""Where one app's runtime is in its life: one state that every part reads.

The hub refuses pages once the app is stopping, the script's side drops emits then (a
callback finishing during the stop is not at fault) and refuses them once it has stopped,
and ``block()`` returns. One enum with its legal moves, not a flag per object.
"""

from __future__ import annotations

import enum
import threading

from ..domain.errors import IllegalTransitionError

__all__ = ["Lifecycle", "LifecycleState"]


class LifecycleState(enum.Enum):
    NEW = "new"  # nothing runs yet: what the script asks for waits for the start
    RUNNING = "running"
    STOPPING = "stopping"  # pages are told and closed, callbacks finish; no new pages
    STOPPED = "stopped"  # for good: emits raise


_NEXT: dict[LifecycleState, frozenset[LifecycleState]] = {
    LifecycleState.NEW: frozenset({LifecycleState.RUNNING, LifecycleState.STOPPED}),
    # Straight to STOPPED: a stop whose loop was gone could not run its sequence.
    LifecycleState.RUNNING: frozenset({LifecycleState.STOPPING, LifecycleState.STOPPED}),
    LifecycleState.STOPPING: frozenset({LifecycleState.STOPPED}),
    LifecycleState.STOPPED: frozenset(),
}


class Lifecycle:
    """The state of one app's runtime, safe to read from any thread."""

    __slots__ = ("_lock", "state")

    def __init__(self) -> None:
        self.state = LifecycleState.NEW
        self._lock = threading.Lock()

    @property
    def running(self) -> bool:
        return self.state is LifecycleState.RUNNING

    @property
    def over(self) -> bool:
        """Stopping or stopped: nothing new is taken."""
        return self.state in (LifecycleState.STOPPING, LifecycleState.STOPPED)

    def move_to(self, target: LifecycleState) -> None:
        """Move to ``target``; :class:`IllegalTransitionError` names an illegal move."""
        with self._lock:
            if target is self.state:
                return
            if target not in _NEXT[self.state]:
                raise IllegalTransitionError(
                    f"the app cannot go from {self.state.value} to {target.value}"
                )
            self.state = target

    def check_alive(self) -> None:
        """Raise if the app stopped for good (nothing would ever send what is asked)."""
        if self.state is LifecycleState.STOPPED:
            raise IllegalTransitionError(
                "this PyWry app was destroyed (its server stopped); create a new PyWry()"
            )
