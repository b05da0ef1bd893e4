"""The page's side of the wire format, for the fakes: frames in, frames out, binary included.

What a server sends a page is a text message (one frame or a batch) and, when its frames
have binary values, the binary messages that carry them (``pywry.app.binary``). A
:class:`MessageReader` turns that back into frames with the values in place, as the page's
script does: ``bytes`` (a page's ``Uint8Array``), or a numpy array for one sent with a
``dtype`` when numpy is loaded. :func:`page_message` is the other way: a page's frame,
with any binary values it holds taken out, and the pieces to send after it.
"""

from __future__ import annotations

import sys
from typing import Any

import msgspec

from ..app.binary import Bin, Incoming, chunks, join, split

__all__ = ["MessageReader", "page_message"]

_encoder = msgspec.json.Encoder()


class MessageReader:
    """Frames from a server's messages, each as soon as its binary values are all in."""

    def __init__(self) -> None:
        self._waiting: tuple[list[dict[str, Any]], Incoming] | None = None

    def text(self, text: str | bytes) -> list[dict[str, Any]]:
        """The frames of a text message; none yet while their binary values are due."""
        message = msgspec.json.decode(text)
        frames = (
            message["events"] if isinstance(message, dict) and "events" in message else [message]
        )
        bins = [spec for frame in frames for spec in _bins(frame)]
        incoming = Incoming(bins)
        if incoming.complete:
            return _filled(frames, incoming.buffers)
        self._waiting = (frames, incoming)
        return []

    def piece(self, data: bytes | memoryview) -> list[dict[str, Any]]:
        """Take one binary message; the frames it completes (none until the last piece)."""
        if self._waiting is None:
            raise ValueError("a binary message that no frame announced")
        frames, incoming = self._waiting
        incoming.take(bytes(data))
        if not incoming.complete:
            return []
        self._waiting = None
        return _filled(frames, incoming.buffers)


def _bins(frame: Any) -> list[Bin]:
    specs = frame.get("bins") if isinstance(frame, dict) else None
    return msgspec.convert(specs, list[Bin]) if specs else []


def _filled(frames: list[dict[str, Any]], buffers: list[bytes]) -> list[dict[str, Any]]:
    at = 0
    for frame in frames:
        specs = _bins(frame)
        if specs:
            values = [
                _value(spec, buffer) for spec, buffer in zip(specs, buffers[at:], strict=False)
            ]
            frame["data"] = join(frame.get("data"), specs, values)
            del frame["bins"]
            at += len(specs)
    return frames


def _value(spec: Bin, buffer: bytes) -> Any:
    numpy = sys.modules.get("numpy")
    if spec.dtype is None or numpy is None:
        return buffer
    return numpy.frombuffer(buffer, dtype=numpy.dtype(spec.dtype).newbyteorder("<")).reshape(
        spec.shape or ()
    )


def page_message(frame: dict[str, Any]) -> tuple[bytes, list[memoryview]]:
    """A page's frame as it sends it: the text, then the pieces of its binary values."""
    data, bins, buffers = split(frame.get("data"))
    if bins:
        frame = {**frame, "data": data, "bins": bins}
    pieces = [piece for view in buffers for piece in chunks(view)]
    return _encoder.encode(frame), pieces
