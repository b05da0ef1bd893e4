"""Per-widget secrets that never show themselves.

A :class:`Token` holds the value a page must present to open its WebSocket. Its ``repr``
and ``str`` are masked so that a token never lands in a log line, an error message or a
traceback by accident; the one place that needs the value (the page being rendered) asks
for it explicitly with :meth:`Token.reveal`.
"""

from __future__ import annotations

import hmac
import secrets

__all__ = ["Token"]

_MASK = "Token(***)"


class Token:
    """A secret compared in constant time and never printed."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("a token cannot be empty")
        self._value = value

    @classmethod
    def generate(cls) -> Token:
        """A fresh token: 32 random bytes, URL-safe (valid in a WebSocket subprotocol)."""
        return cls(secrets.token_urlsafe(32))

    def matches(self, candidate: str | bytes | None) -> bool:
        """Whether ``candidate`` is this token, compared in constant time."""
        if candidate is None:
            return False
        if isinstance(candidate, str):
            candidate = candidate.encode("utf-8", "replace")
        return hmac.compare_digest(self._value.encode(), candidate)

    def reveal(self) -> str:
        """The secret itself, for the page that must present it. Never log the result."""
        return self._value

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Token):
            return self.matches(other._value)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._value)

    def __repr__(self) -> str:
        return _MASK

    __str__ = __repr__

    def __reduce__(self) -> tuple[object, ...]:
        # Refuse pickling: a token written to disk or sent to another process is a leak.
        raise TypeError("a Token cannot be pickled")
