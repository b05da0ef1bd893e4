"""The errors pywry raises: one base class, one child per thing that can go wrong.

Every message says what was wrong and how to fix it, so a user never has to read a
traceback from deep inside a framework to learn what to change.
"""

from __future__ import annotations

__all__ = [
    "IllegalTransitionError",
    "InvalidArgumentError",
    "InvalidEventNameError",
    "InvalidLabelError",
    "PageCallError",
    "PortInUseError",
    "PyWryError",
    "PyWryTimeoutError",
    "ServerError",
    "SettingsError",
    "TlsError",
    "UnknownWidgetError",
    "UnsupportedModeError",
]


class PyWryError(Exception):
    """Base class of every error pywry raises on purpose."""


class SettingsError(PyWryError, ValueError):
    """A setting has a bad value; the message names the key, the value and where it came from."""


class InvalidArgumentError(PyWryError, TypeError, ValueError):
    """An argument of a pywry call has the wrong type or value; the message says what fits.

    It is a ``TypeError`` and a ``ValueError`` too, so code written against either keeps
    catching it.
    """


class InvalidLabelError(PyWryError, ValueError):
    """A widget label cannot be used as the widget's id in its URL."""


class InvalidEventNameError(PyWryError, ValueError):
    """An event name does not follow ``namespace:event[:id]``."""


class UnknownWidgetError(PyWryError, KeyError):
    """No widget is registered under the given label."""

    def __str__(self) -> str:
        # KeyError quotes its argument; a sentence reads better.
        return str(self.args[0]) if self.args else "unknown widget"


class UnsupportedModeError(PyWryError, ValueError):
    """A window mode was asked for that this build of pywry does not implement."""


class PortInUseError(PyWryError, OSError):
    """The configured port is taken by another program."""


class ServerError(PyWryError, RuntimeError):
    """The local server could not start or stopped unexpectedly."""


class TlsError(PyWryError):
    """Certificate or key material cannot be used to serve HTTPS."""


class IllegalTransitionError(PyWryError, RuntimeError):
    """An object was asked to move between two states that do not connect."""


class PyWryTimeoutError(PyWryError, TimeoutError):
    """An answer (from a page, or from the server) did not come within the time allowed."""


class PageCallError(PyWryError):
    """A page could not answer a request: its handler threw, or it has none for the event.

    ``name`` and ``message`` are the JavaScript error's (``"NoHandler"`` when no page of the
    widget has a handler for the event).
    """

    def __init__(self, event: str, name: str, message: str) -> None:
        super().__init__(f"the page's handler for {event!r} failed: {name}: {message}")
        self.event = event
        self.name = name
        self.message = message
