"""How a widget's event log sits in Redis: the script that appends to it, and what reads give.

A widget's log is its counter, its epoch and its stream. The stream's entry ids are the
event numbers (``<seq>-0``), so numbers are contiguous and a reader always knows whether it
has everything. When the counter is gone (a Redis that lost its data) a new epoch starts,
with an empty stream, so no subscriber mistakes the new numbers for ones it has.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from ...domain.ports import Body

__all__ = ["APPEND", "MAX_CALL_BYTES", "MAX_CALL_EVENTS", "calls", "entries", "number", "runs"]

# KEYS: meta, stream, doorbell channel   ARGV: max entries, epoch if none, body, body...
# Appends a run of events with consecutive numbers and rings the doorbell once, with the
# last number; returns that number.
APPEND = """
if redis.call('HEXISTS', KEYS[1], 'epoch') == 0 then
  redis.call('DEL', KEYS[2])
  redis.call('HSET', KEYS[1], 'epoch', ARGV[2], 'seq', 0)
end
local count = #ARGV - 2
local last = redis.call('HINCRBY', KEYS[1], 'seq', count)
for i = 1, count do
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], (last - count + i) .. '-0', 'd', ARGV[i + 2])
end
redis.call('PUBLISH', KEYS[3], last)
return last
"""

# One call of the script carries at most this many events and bytes (a larger event goes
# alone): a burst of big events never makes one request that Redis's query buffer refuses.
MAX_CALL_EVENTS = 1000
MAX_CALL_BYTES = 4 << 20


def calls(bodies: Sequence[Body]) -> Iterator[list[bytes]]:
    """``bodies`` cut into the runs one call of :data:`APPEND` each carries, in order."""
    run: list[bytes] = []
    size = 0
    for body in bodies:
        data = bytes(body)
        if run and (len(run) >= MAX_CALL_EVENTS or size + len(data) > MAX_CALL_BYTES):
            yield run
            run, size = [], 0
        run.append(data)
        size += len(data)
    if run:
        yield run


def number(data: Any) -> int:
    """The event number a doorbell carries (0 if it carries none)."""
    try:
        return int(data)
    except (TypeError, ValueError):
        return 0


def entries(raw: Any) -> list[tuple[int, Body]]:
    """``XRANGE``'s reply as (number, body) pairs: ids are ``<seq>-0``."""
    return [(int(entry_id.split(b"-", 1)[0]), fields[b"d"]) for entry_id, fields in raw or []]


def runs(numbered: list[tuple[int, Body]]) -> list[tuple[int, list[Body]]]:
    """Numbered bodies as runs of consecutive numbers: (the first's number, the bodies)."""
    found: list[tuple[int, list[Body]]] = []
    for seq, body in numbered:
        if found and found[-1][0] + len(found[-1][1]) == seq:
            found[-1][1].append(body)
        else:
            found.append((seq, [body]))
    return found
