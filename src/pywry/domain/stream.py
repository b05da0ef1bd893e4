"""The outbound frame stream of one widget: numbered, bounded, replayable.

Every frame sent to a widget's pages is appended here once, under the sequence number the
event bus gave it, already encoded. Each page's session only remembers how far it has read (a
cursor), so a hundred pages of one widget share one buffer, a slow page costs no extra
memory, and a page that reconnects is sent exactly the frames after its cursor. When a
cursor falls behind what the buffer still holds, the page must resynchronise.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sized
from itertools import islice
from typing import Generic, TypeVar

__all__ = ["FrameStream"]

F = TypeVar("F", bound=Sized)  # an encoded frame; its len() is its size in bytes


class FrameStream(Generic[F]):
    """A ring of the most recent frames of one widget, bounded by count and by bytes."""

    __slots__ = ("_bytes", "_frames", "_head", "_max_bytes", "_max_frames")

    def __init__(self, *, max_frames: int, max_bytes: int, start: int = 0) -> None:
        if max_frames < 1 or max_bytes < 1:
            raise ValueError("a frame stream must hold at least one frame and one byte")
        self._frames: deque[F] = deque()
        self._max_frames = max_frames
        self._max_bytes = max_bytes
        self._bytes = 0
        self._head = start

    @property
    def head(self) -> int:
        """Sequence number of the newest frame (0 before the first)."""
        return self._head

    @property
    def tail(self) -> int:
        """Sequence number of the oldest frame still held (head + 1 when empty)."""
        return self._head - len(self._frames) + 1

    def __len__(self) -> int:
        return len(self._frames)

    def append(self, seq: int, frame: F) -> bool:
        """Keep frame number ``seq``, the one after :attr:`head`; ``False`` for one held already.

        Raises ``ValueError`` for a number further on: frames in between would be missing.
        """
        if seq <= self._head:
            return False
        if seq != self._head + 1:
            raise ValueError(f"frame {seq} does not follow frame {self._head}")
        self._frames.append(frame)
        self._bytes += len(frame)
        self._head += 1
        # Keep at least the newest frame, however large, so it can still be delivered.
        while len(self._frames) > 1 and (
            len(self._frames) > self._max_frames or self._bytes > self._max_bytes
        ):
            self._bytes -= len(self._frames.popleft())
        return True

    def holds_after(self, cursor: int) -> bool:
        """Whether every frame after ``cursor`` is still held (nothing would be missed)."""
        return cursor >= self.tail - 1

    def after(self, cursor: int, *, limit: int | None = None) -> list[F]:
        """Frames numbered ``cursor + 1`` to head (at most ``limit``), oldest first.

        The caller checks :meth:`holds_after` first; frames already dropped are skipped.
        """
        missing = self._head - max(cursor, self._head - len(self._frames))
        if missing <= 0:
            return []
        if missing == 1 and (limit is None or limit > 0):
            return [self._frames[-1]]  # the usual case: a page that keeps up
        # Walk from the newest end: cost grows with what is sent, not with the buffer.
        newest_first = list(islice(reversed(self._frames), missing))
        newest_first.reverse()
        if limit is not None and len(newest_first) > limit:
            return newest_first[:limit]
        return newest_first
