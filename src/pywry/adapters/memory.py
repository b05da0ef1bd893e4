"""In-process adapters: widget store, event bus, inbound ledger and relay of one process.

All three live on the event loop; the Redis adapters of deploy mode implement the same
ports for many workers on many machines, and pass the same contract tests.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..domain.events import Event
from ..domain.ports import (
    Body,
    EventBus,
    Forwarded,
    FrameListener,
    InboundLedger,
    Relay,
    ResetListener,
    Unsubscribe,
    WidgetStore,
)
from ..domain.session import HandledFrames
from ..domain.stream import FrameStream
from ..domain.widget import Widget

__all__ = ["LocalRelay", "MemoryEventBus", "MemoryInboundLedger", "MemoryWidgetStore"]

log = logging.getLogger("pywry.bus")


class MemoryWidgetStore(WidgetStore):
    """Widgets in a dict, in the order they were first saved."""

    def __init__(self) -> None:
        self._widgets: dict[str, Widget] = {}
        self._seen: set[str] = set()

    async def save(self, widget: Widget) -> Widget:
        self._widgets[widget.label] = widget
        return widget

    async def get(self, label: str) -> Widget | None:
        return self._widgets.get(label)

    async def delete(self, label: str) -> bool:
        self._seen.discard(label)
        return self._widgets.pop(label, None) is not None

    async def labels(self) -> list[str]:
        return list(self._widgets)

    async def mark_seen(self, label: str) -> None:
        if label in self._widgets:
            self._seen.add(label)

    async def seen(self, label: str) -> bool:
        return label in self._seen


@dataclass(slots=True)
class _Stream:
    kept: FrameStream[Body]  # the history, bounded like a page's replay buffer
    listeners: list[FrameListener] = field(default_factory=list)


class MemoryEventBus(EventBus):
    """Numbers each widget's events and hands them to its subscribers before returning.

    History is bounded like a page's replay buffer: at most ``history_frames`` events and
    ``history_bytes`` bytes per widget (the newest is always kept).
    """

    def __init__(self, *, history_frames: int = 10_000, history_bytes: int = 16 << 20) -> None:
        if history_frames < 1 or history_bytes < 1:
            raise ValueError("the event bus must keep at least one event and one byte")
        self._streams: dict[str, _Stream] = {}
        self._max_frames = history_frames
        self._max_bytes = history_bytes

    async def start(self) -> None:
        """Nothing to connect to."""

    async def stop(self) -> None:
        self._streams.clear()

    def _stream(self, label: str) -> _Stream:
        stream = self._streams.get(label)
        if stream is None:
            kept = FrameStream[Body](max_frames=self._max_frames, max_bytes=self._max_bytes)
            stream = self._streams[label] = _Stream(kept)
        return stream

    def publish(self, label: str, *bodies: Body) -> asyncio.Future[int]:
        if not bodies:
            raise ValueError("publish() needs at least one event body")
        stream = self._stream(label)
        kept = stream.kept
        first = seq = kept.head
        for body in bodies:
            seq += 1
            kept.append(seq, body)
        for listener in stream.listeners:
            try:
                listener(first + 1, bodies)
            except Exception:  # one subscriber's failure must not starve the others
                log.exception("a subscriber of widget %r failed", label)
        numbered = asyncio.get_running_loop().create_future()
        numbered.set_result(seq)
        return numbered

    async def subscribe(
        self,
        label: str,
        listener: FrameListener,
        *,
        after: int | None = None,
        on_reset: ResetListener | None = None,  # one process's log is never lost
    ) -> Unsubscribe:
        stream = self._stream(label)
        if after is not None:
            past = await self.history(label, after, len(stream.kept))
            if past:
                listener(past[0][0], [body for _, body in past])
        stream.listeners.append(listener)

        async def unsubscribe() -> None:
            if listener in stream.listeners:
                stream.listeners.remove(listener)

        return unsubscribe

    def epoch(self, label: str) -> str:
        return ""  # one process's log lives and dies with it

    async def catch_up(self, label: str) -> None:
        """Subscribers have everything already: publish hands it over."""

    async def history(self, label: str, after: int, limit: int) -> list[tuple[int, Body]]:
        stream = self._streams.get(label)
        if stream is None or limit < 1:
            return []
        kept = stream.kept
        first = max(after, kept.tail - 1) + 1  # what was dropped already is skipped
        return list(enumerate(kept.after(after, limit=limit), first))

    async def forget(self, label: str) -> None:
        self._streams.pop(label, None)


class MemoryInboundLedger(InboundLedger):
    """The last frame handled per page id, per widget; ``max_pages`` page ids per widget."""

    def __init__(self, *, max_pages: int = 1600) -> None:
        self._max_pages = max_pages
        self._widgets: dict[str, HandledFrames] = {}

    def _of(self, label: str) -> HandledFrames:
        frames = self._widgets.get(label)
        if frames is None:
            frames = self._widgets[label] = HandledFrames(max_pages=self._max_pages)
        return frames

    async def last(self, label: str, page_id: str) -> int:
        return self._of(label).last(page_id)

    async def accept(self, label: str, page_id: str, seq: int) -> bool:
        return self._of(label).accept(page_id, seq)

    async def forget(self, label: str) -> None:
        self._widgets.pop(label, None)


class LocalRelay(Relay):
    """One process serves everything: nothing is ever forwarded."""

    def __init__(self) -> None:
        self._local_pages: Callable[[], dict[str, int]] = dict

    @property
    def shared(self) -> bool:
        return False

    @property
    def worker_id(self) -> str:
        return "local"

    async def start(
        self,
        *,
        on_event: Callable[[Event], object],
        on_response: Callable[[str, Any], None],
        local_pages: Callable[[], dict[str, int]],
    ) -> None:
        self._local_pages = local_pages

    async def page_counts(self) -> dict[str, int]:
        return self._local_pages()

    async def stop(self) -> None:
        """Nothing to stop."""

    async def claim(self, label: str) -> None:
        """Every widget is this process's."""

    async def forward_event(self, event: Event) -> Forwarded:
        return Forwarded.HERE

    async def forward_response(self, worker: str, ident: str, answer: Any) -> None:
        """No other process asks."""

    async def running(self, event: Event) -> str | None:
        """Nobody else could run it again: nothing to keep."""
        return None

    def finished(self, token: str) -> None:
        """Nothing was kept."""
