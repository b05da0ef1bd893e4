"""Granian's embedded server on pywry's event loop: the one package that knows Granian.

``runner`` starts and stops the server; ``sockets`` reserves and checks its port,
``connections`` tracks the requests and WebSockets stop must end, and ``threads`` finds the
native threads stop waits for.
"""

from __future__ import annotations

from .runner import GranianRunner, RunnerState

__all__ = ["GranianRunner", "RunnerState"]
