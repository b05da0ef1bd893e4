"""Two small policies of a page's connection, kept free of clocks and loops for testing.

:class:`TokenBucket` paces what a page sends; :class:`AckSchedule` decides when the page is
told which of its frames were handled. Both are given the time; neither reads a clock.
"""

from __future__ import annotations

__all__ = ["ACK_DELAY", "ACK_EVERY", "AckSchedule", "TokenBucket"]

ACK_EVERY = 256  # inbound frames handled before an acknowledgement goes out at once
ACK_DELAY = 0.1  # seconds an acknowledgement waits otherwise, so one covers many frames


class TokenBucket:
    """At most ``rate`` frames a second, with bursts of up to one second's allowance.

    Over the rate, a page is slowed down (its socket is not read for a while), never
    dropped: nothing it sent is lost, and a page that sends too much cannot make the server
    buffer it.
    """

    __slots__ = ("_allowance", "_last", "_rate")

    def __init__(self, rate: int, *, now: float) -> None:
        if rate < 1:
            raise ValueError("a token bucket needs a rate of at least one frame a second")
        self._rate = float(rate)
        self._allowance = float(rate)
        self._last = now

    def charge(self, frames: int, now: float) -> float:
        """Count ``frames`` arriving at ``now``; seconds to wait before reading more (0: none)."""
        rate = self._rate
        allowance = min(self._allowance + (now - self._last) * rate, rate)
        self._last = now
        self._allowance = allowance = allowance - frames
        return 0.0 if allowance >= 0 else -allowance / rate


class AckSchedule:
    """When to tell a page which of its frames were handled: soon, not after every frame.

    The page only needs acknowledgements to forget what it keeps for a resend (after a
    reconnect, ``pywry:hello`` tells it what was handled anyway), so one goes per
    :data:`ACK_EVERY` frames or after :data:`ACK_DELAY` seconds, whichever comes first: a
    page in a round-trip loop then gets its answers as single frames.
    """

    __slots__ = ("_every", "_unacked")

    def __init__(self, *, every: int = ACK_EVERY) -> None:
        self._every = every
        self._unacked = 0

    @property
    def pending(self) -> bool:
        """Whether frames were handled since the last acknowledgement."""
        return self._unacked > 0

    def handled(self) -> bool:
        """One more frame was handled; whether an acknowledgement is due now.

        When it is not, the caller makes sure one goes within :data:`ACK_DELAY`.
        """
        self._unacked += 1
        return self._unacked >= self._every

    def sent(self) -> None:
        """An acknowledgement went out: it covers everything handled so far."""
        self._unacked = 0
