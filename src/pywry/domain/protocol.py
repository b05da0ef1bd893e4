"""The page protocol's one home: close codes, pywry's own event names, ids and route paths.

Everything a page and the server must agree on, apart from the frame format itself
(``app/frames.py``), is named here once. The page's script (``bridge.js``) gets the codes
and paths it needs from the page's config, so they are not written twice.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import ClassVar

from .widget import LABEL_PATTERN

__all__ = [
    "ANONYMOUS_PAGE",
    "OWN_ROOTS",
    "PAGE_EVENTS",
    "SUBPROTOCOL",
    "TOKEN_PREFIX",
    "Close",
    "Control",
    "Farewell",
    "Routes",
    "page_id_or_anonymous",
]


class Close(enum.IntEnum):
    """WebSocket close codes pywry sends, and what the page does on each."""

    NORMAL = 1000  # the widget closed, or a newer connection of the page replaced this one
    GOING_AWAY = 1001  # the server stops: the page stops retrying
    POLICY = 1008  # refused for good (origin, host, too many pages)
    TOO_BIG = 1009  # a frame over max_message_size
    RESTART = 1012  # dropped on purpose: the page reconnects and resumes
    RESYNC = 4000  # the page fell behind the replay buffer: it reloads
    AUTH = 4001  # wrong token or unknown widget: the page reloads for a fresh one


class Control(enum.StrEnum):
    """Events of pywry's own namespace."""

    HELLO = "pywry:hello"  # first frame to a page: what of its own was handled, the limits
    ACK = "pywry:ack"  # the last page frame handled
    ERROR = "pywry:error"
    OVERFLOW = "pywry:overflow"
    RESYNC = "pywry:resync"
    CLOSED = "pywry:closed"
    SERVER_STOPPED = "pywry:server-stopped"
    SERVER_RESTARTING = "pywry:server-restarting"
    AUTH_ERROR = "pywry:auth-error"
    UPDATE_HTML = "pywry:update-html"
    UPDATE_THEME = "pywry:update-theme"  # {theme}: pages switch, the widget keeps it
    ALERT = "pywry:alert"
    REPLY = "pywry:reply"  # the answer to a page's call(): {id, ok, value | error}
    REQUEST = "pywry:request"  # the script asks the page: {id, type, data}
    # Sent by pages:
    READY = "pywry:ready"
    DISCONNECT = "pywry:disconnect"
    RESULT = "pywry:result"
    MESSAGE = "pywry:message"
    RESPONSE = "pywry:response"  # the page answers a request: {id, ok, value | error}


# The pywry:* events a page may send; any other pywry:* from a page is refused.
PAGE_EVENTS = frozenset(
    {
        Control.READY,
        Control.DISCONNECT,
        Control.RESULT,
        Control.MESSAGE,
        Control.ERROR,
        Control.RESPONSE,
    }
)


@dataclass(frozen=True, slots=True)
class Farewell:
    """What pages are told when the server stops: an event, then a close with ``code``.

    Browser mode's server ends with the script (:data:`STOPPED`: the page stops retrying);
    a server someone runs as a service comes back (:data:`RESTARTING`: the page reconnects
    with backoff, and reloads if the server came back with new tokens).
    """

    code: Close
    event: Control
    error: str  # the in-band error a socket that arrives during the stop is refused with
    reason: str

    STOPPED: ClassVar[Farewell]
    RESTARTING: ClassVar[Farewell]


Farewell.STOPPED = Farewell(
    Close.GOING_AWAY, Control.SERVER_STOPPED, "server-stopped", "server stopped"
)
Farewell.RESTARTING = Farewell(
    Close.RESTART, Control.SERVER_RESTARTING, "server-restarting", "server restarting"
)

SUBPROTOCOL = "pywry.v1"
TOKEN_PREFIX = "pywry.token."  # noqa: S105 - a subprotocol prefix, not a secret

# A page names itself with an id of the same alphabet as a label; one that gave none (or a
# bad one) is anonymous: it cannot resume after a reconnect.
ANONYMOUS_PAGE = "anonymous"


def page_id_or_anonymous(value: str | None) -> str:
    """The page id a client gave, or :data:`ANONYMOUS_PAGE` when it gave none that fits."""
    if value and value != ANONYMOUS_PAGE and LABEL_PATTERN.match(value):
        return value
    return ANONYMOUS_PAGE


# First path segments of pywry's own routes: a widget prefix under one of them would be
# shadowed (or, under an API route, get CORS headers that expose a page's token).
OWN_ROOTS = ("/_pywry", "/disconnect", "/health", "/register_widget", "/ws")


@dataclass(frozen=True, slots=True)
class Routes:
    """Where pywry's routes live, relative to ``base`` (``""``: the server's root).

    The same routes can be mounted under any base path; a page is told its own socket and
    goodbye addresses in its config, so nothing in it is absolute.
    """

    base: str = ""
    widget_prefix: str = "/widget"

    # Paths as route handlers declare them, relative to ``base`` (Litestar's syntax).
    SOCKET = "/ws/{label:str}"
    SCRIPT = "/_pywry/bridge.js"
    HEALTH = "/health"
    REGISTER = "/register_widget"
    DISCONNECT = "/disconnect/{label:str}"
    STATUS = "/_pywry/status"  # for whoever runs the server: loopback or the API token

    def page(self, label: str) -> str:
        return self._at(self.page_route, label)

    def socket(self, label: str) -> str:
        return self._at(self.SOCKET, label)

    def disconnect(self, label: str) -> str:
        return self._at(self.DISCONNECT, label)

    def _at(self, route: str, label: str) -> str:
        """The path of ``route`` for ``label``, base included."""
        return self.base + route.replace("{label:str}", label)

    @property
    def script(self) -> str:
        return f"{self.base}{self.SCRIPT}"

    @property
    def status(self) -> str:
        return f"{self.base}{self.STATUS}"

    @property
    def page_route(self) -> str:
        """The widget page's route, relative to ``base``."""
        return f"{self.widget_prefix}/{{label:str}}"

    def is_api(self, path: str) -> bool:
        """Whether ``path`` (as requested, base included) is one of the JSON API routes."""
        if self.base:
            if not path.startswith(self.base + "/"):
                return False
            path = path[len(self.base) :]
        trimmed = path.rstrip("/") or "/"
        return trimmed in (self.HEALTH, self.REGISTER) or trimmed.startswith(
            self.DISCONNECT.removesuffix("{label:str}")
        )
