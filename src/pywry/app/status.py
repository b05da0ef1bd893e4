"""What the status page shows: this process's widgets, their open pages, and its figures.

Read on the event loop (the widget channels are the loop's), each time the page is asked
for: nothing is kept or counted for it apart from the inbound events :class:`Inbound`
counts anyway. A deployment of several workers has one report per worker process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .._version import __version__
from .channels import Channels
from .inbound import Inbound
from .lifecycle import Lifecycle

__all__ = ["ProcessFigures", "ServerStatus", "StatusReport", "WidgetFigures"]


@dataclass(frozen=True, slots=True)
class WidgetFigures:
    """One widget this process serves (never its token)."""

    label: str
    title: str
    pages: int  # pages connected to it now
    events: int  # events emitted to it so far (the bus's last number)


@dataclass(frozen=True, slots=True)
class ProcessFigures:
    mode: str  # "browser", "hosted" (a Litestar app's plugin) or "deploy"
    version: str
    state: str  # the runtime's: new, running, stopping, stopped
    pid: int
    uptime_seconds: float  # since this app's server was set up
    rss_bytes: int | None  # resident memory now (None where the system does not say)
    threads: int  # the process's threads (the server's native ones included where known)
    events_received: int  # events pages sent that reached the callbacks


@dataclass(frozen=True, slots=True)
class StatusReport:
    process: ProcessFigures
    widgets: list[WidgetFigures]

    @property
    def pages(self) -> int:
        return sum(widget.pages for widget in self.widgets)


def _proc_status() -> dict[str, str]:
    try:
        text = Path("/proc/self/status").read_text()
    except OSError:
        return {}
    return dict(line.split(":", 1) for line in text.splitlines() if ":" in line)


def _rss_bytes(proc: dict[str, str]) -> int | None:
    value = proc.get("VmRSS", "").split()
    if len(value) == 2 and value[0].isdigit() and value[1] == "kB":
        return int(value[0]) * 1024
    return None


def _threads(proc: dict[str, str]) -> int:
    value = proc.get("Threads", "").strip()
    return int(value) if value.isdigit() else threading.active_count()


class ServerStatus:
    """Builds a :class:`StatusReport` of one app on request."""

    def __init__(
        self,
        *,
        channels: Channels,
        lifecycle: Lifecycle,
        inbound: Inbound,
        mode: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._channels = channels
        self._lifecycle = lifecycle
        self._inbound = inbound
        self._mode = mode
        self._clock = clock
        self._started = clock()

    def report(self) -> StatusReport:
        """The figures now; on the event loop."""
        widgets = []
        for label in self._channels.labels():
            channel = self._channels.get(label)
            if channel is None:
                continue
            widget = channel.widget
            widgets.append(
                WidgetFigures(
                    label=label,
                    title=widget.title or "",
                    pages=len(channel.pages),
                    events=channel.stream.head,
                )
            )
        proc = _proc_status()  # Linux's; elsewhere the portable figures only
        process = ProcessFigures(
            mode=self._mode,
            version=__version__,
            state=self._lifecycle.state.value,
            pid=os.getpid(),
            uptime_seconds=round(self._clock() - self._started, 3),
            rss_bytes=_rss_bytes(proc),
            threads=_threads(proc),
            events_received=self._inbound.events_received,
        )
        return StatusReport(process=process, widgets=widgets)
