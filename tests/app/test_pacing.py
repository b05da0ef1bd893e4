"""The pace of what a page sends, and of its acknowledgements: given times, no clock."""

from __future__ import annotations

import pytest

from pywry.app.pacing import ACK_EVERY, AckSchedule, TokenBucket


def test_a_burst_of_one_seconds_allowance_passes_then_the_page_waits_its_turn():
    bucket = TokenBucket(100, now=0.0)
    assert bucket.charge(100, now=0.0) == 0.0
    assert bucket.charge(50, now=0.0) == pytest.approx(0.5)  # 50 over: half a second


def test_the_allowance_refills_with_time_but_never_beyond_one_second():
    bucket = TokenBucket(100, now=0.0)
    bucket.charge(100, now=0.0)
    assert bucket.charge(50, now=0.5) == 0.0  # half a second refilled 50
    assert bucket.charge(150, now=100.0) == pytest.approx(0.5)  # a long pause refills 100 only


def test_a_bucket_needs_a_rate():
    with pytest.raises(ValueError, match="at least one frame"):
        TokenBucket(0, now=0.0)


def test_an_acknowledgement_is_due_at_once_only_after_many_frames():
    acks = AckSchedule()
    assert not any(acks.handled() for _ in range(ACK_EVERY - 1))
    assert acks.handled()
    assert acks.pending
    acks.sent()
    assert not acks.pending
    assert not acks.handled()  # counting starts over
