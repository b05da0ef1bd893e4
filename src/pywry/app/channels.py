"""Widget channels: each widget as this process serves it, fed by the event bus.

A :class:`WidgetChannel` holds a widget's content, its frame stream (the events the bus
numbered, kept for replay) and its open pages. :class:`Channels` are this process's
channels: opening one subscribes it to its widget's stream on the bus; closing one lets go
of everything the widget left in the bus, the inbound ledger and the store.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from ..domain.ports import Body, EventBus, InboundLedger, Unsubscribe, WidgetStore
from ..domain.protocol import Close
from ..domain.stream import FrameStream
from ..domain.widget import Widget
from .frames import Frame, sequenced
from .modes import theme_in_frame
from .pages import PageSession

__all__ = ["Channels", "WidgetChannel"]

log = logging.getLogger("pywry.pages")


class WidgetChannel:
    """One widget on this process: content, frame stream and open pages."""

    def __init__(self, widget: Widget, *, max_frames: int, max_bytes: int) -> None:
        self.widget = widget
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self.stream: FrameStream[Frame] = FrameStream(max_frames=max_frames, max_bytes=max_bytes)
        self.pages: set[PageSession] = set()
        self.ever_connected = False
        self.content_seq = 0  # the frame of the last content update: the page renders it

    def deliver(self, seq: int, bodies: Sequence[Body]) -> None:
        """Keep events ``seq``, ``seq + 1``... (as the bus numbered them) and wake every page."""
        stream = self.stream
        if seq > stream.head + 1:
            # Either the first event this process sees of a widget with a past (another
            # worker numbered those before), or events were lost (the bus's history did
            # not reach back far enough). The stream starts again here; pages that had not
            # read up to the gap resynchronise, never a silent hole.
            if len(stream):
                log.error(
                    "widget %r: events %d to %d were lost",
                    self.widget.label,
                    stream.head + 1,
                    seq - 1,
                )
            stream = self.stream = FrameStream(
                max_frames=self._max_frames, max_bytes=self._max_bytes, start=seq - 1
            )
            # A page open now reads the stream it was given, which goes no further: it
            # reloads, and comes back to the new one.
            for page in list(self.pages):
                page.cut(Close.RESYNC, "events were lost: reload")
        fresh = False  # not all of them held already
        for body in bodies:
            if stream.append(seq, sequenced(seq, body)):
                fresh = True
                theme = theme_in_frame(body)
                if theme is not None:
                    # From any worker: a page loaded here from now on comes up in it.
                    self.widget = self.widget.themed(theme)
            seq += 1
        if fresh:
            for page in self.pages:
                page.notify()

    def start_over(self) -> None:
        """The bus's log of this widget was lost and its numbering starts again: forget the
        stream and have every page reload (its cursor means nothing in the new log)."""
        self.stream = FrameStream(max_frames=self._max_frames, max_bytes=self._max_bytes)
        self.content_seq = 0
        for page in list(self.pages):
            page.cut(Close.RESYNC, "the event log was lost: reload")

    def replace_content(self, widget: Widget, seq: int) -> None:
        """New content, announced to pages by event ``seq``; a new page renders it."""
        self.widget = widget
        self.content_seq = seq

    def render_cursor(self) -> int:
        """Where a page rendered now starts reading.

        Until a first page has connected, what was emitted since the content it renders
        (shown, or last updated) is still waiting for it; after that, a newly loaded page
        starts from now. It never replays the update it renders: scripts would run twice.
        """
        if not self.ever_connected:
            return self.content_seq
        return max(self.stream.head, self.content_seq)


class Channels:
    """This process's widget channels, by label, each subscribed to its widget's stream."""

    def __init__(
        self,
        *,
        bus: EventBus,
        ledger: InboundLedger,
        store: WidgetStore,
        max_frames: int = 10_000,
        max_bytes: int = 16 << 20,
    ) -> None:
        self._bus = bus
        self._ledger = ledger
        self._store = store
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._channels: dict[str, WidgetChannel] = {}
        self._unsubscribe: dict[str, Unsubscribe] = {}
        self._saving: set[asyncio.Task[Widget | None]] = set()

    @property
    def max_event_bytes(self) -> int:
        """The largest event a page can be sent: one the replay buffer can hold whole."""
        return self._max_bytes

    def get(self, label: str) -> WidgetChannel | None:
        return self._channels.get(label)

    def labels(self) -> list[str]:
        return list(self._channels)

    def __bool__(self) -> bool:
        return bool(self._channels)

    async def open(self, widget: Widget) -> WidgetChannel:
        """A channel for ``widget``, subscribed to its stream from now on."""
        channel = WidgetChannel(widget, max_frames=self._max_frames, max_bytes=self._max_bytes)
        self._channels[widget.label] = channel
        self._unsubscribe[widget.label] = await self._bus.subscribe(
            widget.label, channel.deliver, after=0, on_reset=lambda: self._lost(channel)
        )
        # A shared bus may have handed over the widget's past (other workers' events): the
        # content rendered now already shows their effect, so a first page starts after them.
        channel.content_seq = channel.stream.head
        return channel

    def _lost(self, channel: WidgetChannel) -> None:
        """The shared state lost this widget's log, and maybe the widget: save it again
        (pages that load it find it) and start its stream over."""
        channel.start_over()
        self.save_later(channel)

    def save_later(self, channel: WidgetChannel) -> None:
        """Save the channel's widget as it is when the save runs, without waiting for it (a
        failure is logged); not once the widget is closed."""

        async def save() -> Widget | None:
            if self._channels.get(channel.widget.label) is not channel:
                return None
            return await self._store.save(channel.widget)

        task = asyncio.get_running_loop().create_task(save())
        self._saving.add(task)
        task.add_done_callback(self._saved)

    def _saved(self, task: asyncio.Task[Widget | None]) -> None:
        self._saving.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("a widget could not be saved again: %s", task.exception())

    def take(self, label: str) -> WidgetChannel | None:
        """Stop serving ``label`` here at once; :meth:`forget` lets go of what it left."""
        return self._channels.pop(label, None)

    async def forget(self, label: str) -> None:
        """Let go of what a taken widget left in the bus, the ledger and the store.

        Before anything else of the same label: a show of it right after starts afresh.
        """
        unsubscribe = self._unsubscribe.pop(label, None)
        if unsubscribe is not None:
            await unsubscribe()
        await self._bus.forget(label)
        await self._ledger.forget(label)
        await self._store.delete(label)

    def refusal(self) -> str | None:
        """Why the bus refuses events now (its store has been away too long), or ``None``."""
        return self._bus.refusal()

    async def mark_seen(self, channel: WidgetChannel) -> None:
        """A page of ``channel`` connects here: no page that loads it later, on any worker,
        gets what was emitted before (the first page did)."""
        if not channel.ever_connected:
            channel.ever_connected = True
            await self._store.mark_seen(channel.widget.label)

    async def check_seen(self, channel: WidgetChannel) -> None:
        """Learn whether a page of ``channel`` connected on another worker."""
        if not channel.ever_connected and await self._store.seen(channel.widget.label):
            channel.ever_connected = True

    def epoch(self, label: str) -> str:
        """The id of the widget's event log as the bus last read it."""
        return self._bus.epoch(label)

    async def catch_up(self, label: str) -> None:
        """Have the bus hand over what is published so far (a log that started over too)."""
        await self._bus.catch_up(label)

    def page_count(self, label: str) -> int:
        channel = self._channels.get(label)
        return 0 if channel is None else len(channel.pages)

    def pages_of(self, label: str | None) -> list[PageSession]:
        """The open pages of one widget, or of every widget."""
        if label is None:
            channels = list(self._channels.values())
        else:
            channel = self._channels.get(label)
            channels = [] if channel is None else [channel]
        return [page for channel in channels for page in channel.pages]
