"""Events with binary values, as the server keeps and sends them.

An emitted event with binary values becomes a :class:`BinaryBody`: its JSON head and the
values cut into the pieces they travel in (``app/binary.py``), made once, in the emitting
thread. The event bus carries that object as it is within a process; where a body must be
one ``bytes`` (Redis), ``bytes(body)`` is its wire form: ``\\x00``, the number of values and
each one's length (big-endian), the head's length, the head, then the values, which
:meth:`BinaryBody.from_wire` reads back. Numbered, it becomes a :class:`BinaryFrame` that
shares the same pieces, and every page of the widget is sent those: a server's send takes
``bytes`` at memory speed (Granian reads a ``memoryview`` item by item, several times the
cost of a copy), and no page costs a copy of its own.
"""

from __future__ import annotations

import struct
from typing import NamedTuple

from .binary import CHUNK, chunks

__all__ = ["BinaryBody", "BinaryFrame", "Outgoing", "is_binary_wire"]

_MARK = 0  # the first byte of a body with binary values (a JSON body starts with "{")
_COUNT = struct.Struct(">I")
_LENGTH = struct.Struct(">Q")


def is_binary_wire(body: bytes) -> bool:
    """Whether ``body`` is the wire form of a :class:`BinaryBody`."""
    return bool(body) and body[0] == _MARK


class BinaryBody:
    """An encoded event with binary values: its JSON head, and the values in pieces."""

    __slots__ = ("head", "lengths", "pieces", "size")

    def __init__(self, head: bytes, lengths: tuple[int, ...], pieces: tuple[bytes, ...]) -> None:
        self.head = head
        self.lengths = lengths  # of each value: where one ends and the next starts
        self.pieces = pieces
        self.size = len(head) + sum(lengths)

    @classmethod
    def of(cls, head: bytes, buffers: list[memoryview]) -> BinaryBody:
        """The body of ``head`` with ``buffers``: each cut into pieces, copied once (a value
        of one piece that is ``bytes`` already is used as it is)."""
        pieces: list[bytes] = []
        for view in buffers:
            whole = view.obj
            if type(whole) is bytes and view.nbytes == len(whole) <= CHUNK:
                pieces.append(whole)
            else:
                pieces.extend(bytes(piece) for piece in chunks(view))
        return cls(head, tuple(view.nbytes for view in buffers), tuple(pieces))

    @classmethod
    def from_wire(cls, body: bytes) -> BinaryBody:
        """Read ``bytes(body)`` back (as it came from Redis)."""
        view = memoryview(body)
        (count,) = _COUNT.unpack_from(body, 1)
        at = 1 + _COUNT.size
        lengths = tuple(_LENGTH.unpack_from(body, at + i * _LENGTH.size)[0] for i in range(count))
        at += count * _LENGTH.size
        (head_length,) = _COUNT.unpack_from(body, at)
        at += _COUNT.size
        head = body[at : at + head_length]
        at += head_length
        pieces: list[bytes] = []
        for length in lengths:
            pieces.extend(bytes(piece) for piece in chunks(view[at : at + length]))
            at += length
        return cls(head, lengths, tuple(pieces))

    def __len__(self) -> int:
        return self.size

    def __bytes__(self) -> bytes:
        lengths = b"".join(_LENGTH.pack(length) for length in self.lengths)
        prefix = (
            bytes([_MARK]) + _COUNT.pack(len(self.lengths)) + lengths + _COUNT.pack(len(self.head))
        )
        return b"".join([prefix, self.head, *self.pieces])

    def numbered(self, seq: int) -> BinaryFrame:
        """The frame numbered ``seq``: a new head, the same pieces."""
        return BinaryFrame(b'{"seq":%d,%s' % (seq, self.head[1:]), self.pieces, self.size)


class BinaryFrame:
    """A numbered frame with binary values: its JSON head, and the pieces that carry them."""

    __slots__ = ("head", "pieces", "size")

    def __init__(self, head: bytes, pieces: tuple[bytes, ...], size: int) -> None:
        self.head = head
        self.pieces = pieces
        self.size = size  # bytes in all, for the replay buffer's bound

    def __len__(self) -> int:
        return self.size


class Outgoing(NamedTuple):
    """A message with binary values: its text, then the pieces that carry them."""

    text: str
    pieces: list[bytes]
