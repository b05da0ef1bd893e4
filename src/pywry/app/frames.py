"""The wire format between the server and its pages.

Server to page: one text message holds either one frame ``{"seq", "type", "data", "ts"}``
or a batch ``{"events": [frame, ...]}`` of the frames queued together; control frames meant
for one page only carry no ``seq``. Page to server: ``{"type", "data", "widgetId", "ts",
"seq", "id"}`` or a batch of them; ``id`` is an optional correlation id, so that an answer
can be addressed to the call that asked. Event bodies are encoded once, in the thread that
emits them, and shared by every page of the widget.

A frame whose data holds binary values (``app/binary.py``) names them in ``bins`` and is
followed by binary messages carrying them; such an event is kept as a ``BinaryBody`` and
sent as a ``BinaryFrame`` (``app/binary_frames.py``).

Control frames that keep delivery exact across reconnects: ``pywry:hello`` (first frame to
a page that gave its id: ``inbound`` is the last of its frames handled, so it resends only
what follows), ``pywry:ack`` (``inbound`` again, as the page's frames are handled), and
``pywry:overflow`` then ``pywry:resync`` (the page fell behind the replay buffer: reload).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import msgspec

from ..domain.errors import InvalidArgumentError, PyWryError
from ..domain.ports import Body
from ..domain.protocol import Control
from .binary import Bin, flat, split
from .binary_frames import BinaryBody, BinaryFrame, Outgoing, is_binary_wire

__all__ = [
    "BinaryFrame",
    "Frame",
    "InboundFrame",
    "Outgoing",
    "ProtocolError",
    "ack_frame",
    "batch",
    "binary_message",
    "control_frame",
    "decode_inbound",
    "encode_body",
    "sequenced",
]

_encoder = msgspec.json.Encoder()

# A page numbers its frames 1, 2, 3...; JavaScript counts exactly up to 2**53 - 1. A number
# outside that would be acknowledged as a number the page cannot read, and would make the
# ledger drop every later frame of that page as already handled.
PageSeq = Annotated[int, msgspec.Meta(ge=1, le=2**53 - 1)]


class InboundItem(msgspec.Struct, omit_defaults=True):
    type: str | None = None
    data: Any = None
    widgetId: str | None = None
    ts: float | None = None
    seq: PageSeq | None = None
    id: Annotated[str, msgspec.Meta(max_length=128)] | None = None
    bins: list[Bin] | None = None


class InboundFrame(InboundItem, omit_defaults=True):
    events: list[InboundItem] | None = None


_decoder = msgspec.json.Decoder(InboundFrame)


class ProtocolError(PyWryError, ValueError):
    """A page sent something that is not a frame."""


def encode_body(event_type: str, data: Any) -> bytes | BinaryBody:
    """Encode an event once: ``{"type":...,"data":...,"ts":...}``, with its binary values
    apart (a :class:`BinaryBody`) when it has some.

    Raises ``InvalidArgumentError`` (a ``TypeError``) for data that cannot be sent.
    """
    if flat(data):  # most events: nothing to look for inside
        return _encoded(event_type, data, None)
    stripped, bins, buffers = split(data)
    head = _encoded(event_type, stripped, bins or None)
    return BinaryBody.of(head, buffers) if bins else head


def _encoded(event_type: str, data: Any, bins: list[Bin] | None) -> bytes:
    frame: dict[str, Any] = {"type": event_type, "data": data, "ts": time.time_ns() // 1_000_000}
    if bins:
        frame["bins"] = bins
    try:
        return _encoder.encode(frame)
    except (TypeError, msgspec.EncodeError, OverflowError) as exc:
        raise InvalidArgumentError(
            f"data of event {event_type!r} cannot be sent: {exc} (JSON carries dicts, "
            "lists, strings, numbers, booleans and None; bytes and numpy arrays go as binary)"
        ) from None


Frame = bytes | BinaryFrame


def sequenced(seq: int, body: Body) -> Frame:
    """Turn an encoded body into a numbered frame, not encoding it again."""
    if type(body) is bytes and not is_binary_wire(body):  # the usual event: JSON alone
        return b'{"seq":%d,%s' % (seq, body[1:])
    if isinstance(body, BinaryBody):
        return body.numbered(seq)
    # The wire form, from a shared bus: cut into its pieces here, once.
    return BinaryBody.from_wire(bytes(body)).numbered(seq)


def binary_message(frames: list[Frame]) -> Outgoing:
    """The message for ``frames`` when some of them have binary values."""
    heads = [f.head if isinstance(f, BinaryFrame) else f for f in frames]
    pieces = [piece for f in frames if isinstance(f, BinaryFrame) for piece in f.pieces]
    return Outgoing(batch(heads), pieces)


def control_frame(event_type: str, data: Any) -> bytes:
    """A frame for one page only (not numbered, not replayed); JSON alone."""
    return _encoded(event_type, data, None)


def ack_frame(handled: int) -> bytes:
    """``pywry:ack``: the last page frame handled."""
    return control_frame(Control.ACK, {"inbound": handled})


def batch(frames: list[bytes]) -> str:
    """One message for several frames (or the frame itself when there is one)."""
    if len(frames) == 1:
        return frames[0].decode()
    return (b'{"events":[' + b",".join(frames) + b"]}").decode()


def decode_inbound(raw: str | bytes) -> list[InboundItem]:
    """Decode what a page sent into its frames; raises :class:`ProtocolError`."""
    try:
        frame = _decoder.decode(raw)
    except msgspec.DecodeError as exc:
        raise ProtocolError(f"not a pywry frame: {exc}") from None
    if frame.events is not None:
        return frame.events
    return [frame]
