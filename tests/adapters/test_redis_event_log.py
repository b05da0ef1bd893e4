"""How a run of events is cut into calls of the Redis append script, and read back."""

from __future__ import annotations

from pywry.adapters.redis.event_log import MAX_CALL_BYTES, MAX_CALL_EVENTS, calls, runs


def test_a_run_is_cut_by_count_and_by_bytes_in_order_and_a_large_event_goes_alone():
    small = [b"e"] * (MAX_CALL_EVENTS + 1)
    large = b"x" * (MAX_CALL_BYTES + 1)
    cut = list(calls([*small, large, b"after"]))
    assert [len(run) for run in cut] == [MAX_CALL_EVENTS, 1, 1, 1]
    assert cut[2] == [large]
    assert [body for run in cut for body in run] == [*small, large, b"after"]


def test_numbered_bodies_are_read_back_as_runs_of_consecutive_numbers():
    assert runs([(3, b"a"), (4, b"b"), (6, b"c"), (7, b"d")]) == [
        (3, [b"a", b"b"]),
        (6, [b"c", b"d"]),
    ]
    assert runs([]) == []
