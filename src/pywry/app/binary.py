"""Binary values inside an event's data: taken out of the JSON, carried as binary messages.

An event whose data holds ``bytes``, ``bytearray``, ``memoryview`` or a numpy array (when
numpy is installed; pywry does not import it) is sent as its JSON frame, with ``null`` where
each binary value was and a ``bins`` list saying where each goes (``path``: the keys and
indexes from the data down to it), how long it is, and for an array its ``dtype`` and
``shape``. The values follow the frame (or the batch holding it) as binary WebSocket
messages, in the order of ``bins``, each value cut into pieces of at most :data:`CHUNK`
bytes: a piece never holds bytes of two values, so the receiver fills one at a time.
The same rules hold both ways; the page's side is ``bridge/binary.js``.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Annotated, Any

import msgspec

from ..domain.errors import InvalidArgumentError

__all__ = ["CHUNK", "Bin", "Incoming", "chunks", "flat", "join", "split"]

CHUNK = 1 << 20  # below every server's frame limit (Granian's and uvicorn's are 16 MiB)

_SCALARS = frozenset({str, int, float, bool, type(None)})
_BYTES = (bytes, bytearray, memoryview)
# numpy's dtypes that a page has a typed array for (bool arrives as a Uint8Array).
_DTYPES = frozenset(
    {"int8", "uint8", "int16", "uint16", "int32", "uint32", "int64", "uint64"}
    | {"float32", "float64", "bool"}
)


class Bin(msgspec.Struct, omit_defaults=True, forbid_unknown_fields=True):
    """Where one binary value goes in the data, and how many bytes it has."""

    path: list[str | int]
    len: Annotated[int, msgspec.Meta(ge=0)]
    dtype: str | None = None
    shape: list[int] | None = None


def flat(data: Any) -> bool:
    """Whether ``data`` is a scalar, or a dict or list of scalars: nothing to look into."""
    kind = type(data)
    if kind is dict:
        if len(data) > 16:
            return _SCALARS.issuperset(map(type, data.values()))  # in C, for long ones
        for value in data.values():  # noqa: SIM110 - a plain loop: all() costs a generator
            if type(value) not in _SCALARS:
                return False
        return True
    if kind in _SCALARS:
        return True
    return kind is list and _SCALARS.issuperset(map(type, data))


def split(data: Any) -> tuple[Any, list[Bin], list[memoryview]]:
    """``data`` without its binary values (``None`` in their place), where each was, the values.

    Data with no binary value comes back as it is, uncopied; otherwise only the lists and
    dicts on the way to a binary value are copied. ``bytes`` are not copied; a
    ``bytearray``, ``memoryview`` or array is, once, so a change made after the emit does
    not change what was sent.
    """
    bins: list[Bin] = []
    buffers: list[memoryview] = []
    stripped = _strip(data, (), bins, buffers)
    return stripped, bins, buffers


def _strip(value: Any, path: tuple[str | int, ...], bins: list[Bin], out: list[memoryview]) -> Any:
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is dict:
        if _SCALARS.issuperset(map(type, value.values())):  # in C: most dicts end here
            return value
        return _strip_each(value, value.items(), dict, path, bins, out)
    if kind is list or kind is tuple:
        if _SCALARS.issuperset(map(type, value)):  # a column of numbers costs one C pass
            return value
        return _strip_each(value, enumerate(value), list, path, bins, out)
    if isinstance(value, _BYTES):
        view = memoryview(value if kind is bytes else bytes(value))
        bins.append(Bin(list(path), view.nbytes))
        out.append(view)
        return None
    array = _numpy_array(value)
    if array is not None:
        dtype, shape, view = array
        bins.append(Bin(list(path), view.nbytes, dtype, shape))
        out.append(view)
        return None
    return value  # anything else is the JSON encoder's to take or refuse


def _strip_each(
    value: Any,
    items: Iterable[tuple[Any, Any]],
    copy_as: Callable[[Any], Any],
    path: tuple[str | int, ...],
    bins: list[Bin],
    out: list[memoryview],
) -> Any:
    """``value`` with each binary item inside stripped, copied (as ``copy_as``) if any was."""
    copy: Any = None
    for key, item in items:
        if type(item) in _SCALARS:
            continue
        stripped = _strip(item, (*path, key), bins, out)
        if stripped is not item:
            if copy is None:
                copy = copy_as(value)
            copy[key] = stripped
    return value if copy is None else copy


def _numpy_array(value: Any) -> tuple[str, list[int], memoryview] | None:
    numpy = sys.modules.get("numpy")  # loaded by the user's code, or there is no array
    if numpy is None or not isinstance(value, numpy.ndarray):
        return None
    name = value.dtype.name
    if name not in _DTYPES:
        raise InvalidArgumentError(
            f"a numpy array of dtype {name!r} cannot be sent: pages have typed arrays for "
            f"{', '.join(sorted(_DTYPES))} (convert it, for example with .astype('float64'))"
        )
    # A copy in the page's byte order (little-endian, as every browser's), C-ordered.
    array = numpy.array(value, dtype=value.dtype.newbyteorder("<"), order="C", copy=True)
    return name, list(value.shape), memoryview(array.reshape(-1).view(numpy.uint8))


def join(data: Any, bins: list[Bin], buffers: list[bytes]) -> Any:
    """Put each buffer back where its :class:`Bin` says; ``ValueError`` for a bad path."""
    for spec, buffer in zip(bins, buffers, strict=True):
        if not spec.path:
            data = buffer
            continue
        holder = data
        for step in spec.path[:-1]:
            holder = _child(holder, step)
        last = spec.path[-1]
        _child(holder, last)  # the place must be there (the sender left a null in it)
        holder[last] = buffer
    return data


def _child(holder: Any, step: str | int) -> Any:
    if type(holder) is dict and type(step) is str and step in holder:
        return holder[step]
    if type(holder) is list and type(step) is int and 0 <= step < len(holder):
        return holder[step]
    raise ValueError(f"a binary value's path goes nowhere at {step!r}")


def chunks(buffer: memoryview) -> Iterator[memoryview]:
    """The pieces ``buffer`` is sent in (none for an empty one); views, nothing copied."""
    for start in range(0, buffer.nbytes, CHUNK):
        yield buffer[start : start + CHUNK]


class Incoming:
    """The binary values announced by a message, filled from the pieces that follow it."""

    __slots__ = ("_bins", "_filled", "_parts", "buffers")

    def __init__(self, bins: list[Bin]) -> None:
        self._bins = bins
        self.buffers: list[bytes] = []
        self._parts: list[bytes] = []
        self._filled = 0
        self._settle()

    @property
    def complete(self) -> bool:
        return len(self.buffers) == len(self._bins)

    def take(self, piece: bytes) -> None:
        """Add the next piece; ``ValueError`` when it runs past the value it belongs to."""
        if self.complete:
            raise ValueError("a binary message that no frame announced")
        length = self._bins[len(self.buffers)].len
        if self._filled + len(piece) > length:
            raise ValueError(f"a binary value longer than the {length} bytes announced")
        self._parts.append(piece)
        self._filled += len(piece)
        self._settle()

    def _settle(self) -> None:
        # A value that came in one piece is used as it came; several are joined once.
        while not self.complete and self._filled == self._bins[len(self.buffers)].len:
            parts = self._parts
            self.buffers.append(parts[0] if len(parts) == 1 else b"".join(parts))
            self._parts = []
            self._filled = 0
