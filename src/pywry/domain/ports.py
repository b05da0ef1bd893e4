"""The ports: what the application needs from the outside world.

Each port is a small abstract class; adapters (Granian, the system browser, TLS files,
memory or Redis) implement them, and the fakes in :mod:`pywry.testing` subclass them so a
test swaps one in with a container override. The domain knows nothing of the adapters.
"""

from __future__ import annotations

import asyncio
import enum
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from pathlib import Path
from typing import Any, Protocol, TypeVar

from .events import Event
from .serving import Bind, BoundAddress, LaunchResult, TlsFiles, TlsMaterial
from .widget import Widget

__all__ = [
    "Bind",
    "Body",
    "BoundAddress",
    "BrowserLauncher",
    "EventBus",
    "EventLoop",
    "ExitHooks",
    "Forwarded",
    "FrameListener",
    "InboundLedger",
    "LaunchResult",
    "PageConnection",
    "Relay",
    "ResetListener",
    "ServerRunner",
    "TlsFiles",
    "TlsLoader",
    "TlsMaterial",
    "Unsubscribe",
    "WidgetStore",
]

T = TypeVar("T")


class Body(Protocol):
    """An encoded event as the bus carries it: ``bytes``, or an object with binary values
    kept apart that becomes ``bytes(body)`` where it must travel as one (Redis)."""

    def __len__(self) -> int: ...

    def __bytes__(self) -> bytes: ...


# Called with the number of the first event and the events from it on, in order: what was
# published together (or read together from a shared log) arrives together.
FrameListener = Callable[[int, Sequence[Body]], None]
# Called when a widget's numbering started over under a subscriber (the shared log was lost).
ResetListener = Callable[[], None]
Unsubscribe = Callable[[], Awaitable[None]]


class ServerRunner(ABC):
    """Serves an ASGI application on a bind, on an event loop it is given."""

    @abstractmethod
    def start(self, app: object, bind: Bind, loop: asyncio.AbstractEventLoop) -> BoundAddress:
        """Serve ``app`` and return once it answers; raise ``PortInUseError``/``ServerError``."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and free the port before returning. Idempotent."""

    @property
    @abstractmethod
    def address(self) -> BoundAddress | None:
        """The bound address while serving, else ``None``."""


class BrowserLauncher(ABC):
    """Opens a URL for the user to see."""

    @abstractmethod
    def open(self, url: str) -> LaunchResult:
        """Open ``url``; never raises for a missing browser, says why instead."""


class TlsLoader(ABC):
    """Turns configured TLS files into material the server can use."""

    @abstractmethod
    def load(self, files: TlsFiles) -> TlsMaterial:
        """Check the files and return servable material; raise ``TlsError`` naming the problem."""

    @abstractmethod
    def self_signed(self, hosts: list[str], directory: Path) -> TlsFiles:
        """A development certificate for ``hosts`` kept in ``directory`` (reused while valid)."""

    @abstractmethod
    def release(self, material: TlsMaterial) -> None:
        """Delete any temporary files made for ``material``. Idempotent."""


class ExitHooks(Protocol):
    """Where functions to run at the interpreter's exit are kept: the ``atexit`` module.

    A protocol, not a port class, so the module itself fits; a test gives a stand-in that
    records the hooks instead of running them when its process exits.
    """

    def register(self, hook: Callable[[], object], /) -> object:
        """Run ``hook`` at exit."""

    def unregister(self, hook: Callable[[], object], /) -> None:
        """Forget ``hook``; nothing happens if it is not registered."""


class EventLoop(ABC):
    """The event loop pywry's pages and callbacks run on, seen from any thread.

    Browser mode runs one in a thread of its own; a host server (the Litestar plugin,
    deploy mode) lends its running loop at startup.
    """

    @property
    @abstractmethod
    def running(self) -> bool:
        """Whether the loop runs now (started and not stopped)."""

    @abstractmethod
    def in_loop(self) -> bool:
        """Whether the calling thread is the loop's own (code there must never wait for it)."""

    @abstractmethod
    def call_soon(self, fn: Callable[..., Any], *args: Any) -> None:
        """Run ``fn(*args)`` on the loop; from any thread, never blocks.

        Before the loop runs, the call is kept and made once it does.
        """

    @abstractmethod
    def run(self, coro: Coroutine[Any, Any, T], *, timeout: float | None = 30.0) -> T:
        """Run ``coro`` on the loop and wait for its result, from another thread.

        Raises ``ServerError`` when the loop does not run or the result takes longer than
        ``timeout`` seconds, ``RuntimeError`` on the loop's own thread (it would deadlock).
        """


class PageConnection(ABC):
    """One page's socket, as the server adapter hands it to the application."""

    @abstractmethod
    def send_text(self, text: str) -> Awaitable[None]:
        """Start sending one message; the result completes once it is sent (or failed)."""

    def send_bytes(self, data: bytes | memoryview) -> Awaitable[None]:
        """Start sending one binary message (events' binary values), as :meth:`send_text`."""
        raise NotImplementedError(f"{type(self).__name__} cannot send binary messages")

    @abstractmethod
    def close(self, code: int, reason: str) -> None:
        """Ask for the socket to be closed with ``code``; the adapter finishes the handshake."""


class WidgetStore(ABC):
    """Where widgets live (one process's memory, or Redis shared by many workers)."""

    @abstractmethod
    async def save(self, widget: Widget) -> Widget:
        """Store ``widget``; the widget as stored.

        That is ``widget`` itself, unless another process stored the label first: its token
        stays (one widget, however many processes show it), with ``widget``'s content.
        """

    @abstractmethod
    async def get(self, label: str) -> Widget | None: ...

    @abstractmethod
    async def delete(self, label: str) -> bool:
        """Remove a widget; whether it was there."""

    @abstractmethod
    async def labels(self) -> list[str]:
        """Labels of every stored widget, in the order they were first saved."""

    @abstractmethod
    async def mark_seen(self, label: str) -> None:
        """A page of ``label`` connected (in this process or any other)."""

    @abstractmethod
    async def seen(self, label: str) -> bool:
        """Whether a page of ``label`` ever connected, in any process: until one has, what
        was emitted since its content waits for the first page; after, a page that loads
        starts from what comes next."""


class EventBus(ABC):
    """Numbers a widget's outbound events and carries them to its pages, wherever they are.

    Each widget has one stream: an event published to it gets the next sequence number
    (1, 2, 3... per widget), and every subscriber, in any process, gets the events in that
    order. Recent events are kept as history, so a process that joins late, or a page that
    reconnects to another process, can fill in what it missed.
    """

    @abstractmethod
    async def start(self) -> None:
        """Connect; idempotent."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect and drop every subscription; idempotent."""

    @abstractmethod
    def publish(self, label: str, *bodies: Body) -> asyncio.Future[int]:
        """Append encoded event bodies to ``label``'s stream, in order; never waits.

        Events are appended in the order of the calls, and of the bodies of one call,
        which get consecutive numbers. The future gives the number of the last one (or the
        error that kept them from being appended). Call on the loop, with at least one body
        (``ValueError`` otherwise).
        """

    @abstractmethod
    async def subscribe(
        self,
        label: str,
        listener: FrameListener,
        *,
        after: int | None = None,
        on_reset: ResetListener | None = None,
    ) -> Unsubscribe:
        """Call ``listener(seq, bodies)`` on the event loop for the events published from now
        on, ``seq`` being the number of the first of ``bodies``; together, as a run of one
        publish (or of one read of a shared log), never out of order.

        With ``after``, the events numbered after it that are still kept come first, in
        order (a process that joins late gets the widget's past). A shared bus whose log
        was lost (a Redis that restarted empty) numbers the widget's events from 1 again:
        it calls ``on_reset()`` first, so the subscriber starts over instead of mistaking
        the new events for ones it has.
        """

    def refusal(self) -> str | None:
        """Why publishing is refused now (``None``: it is not). A shared bus whose store
        has been away keeps what is published, in order, up to a bound; past it, emits are
        refused where they are made, with this reason. Safe from any thread."""
        return None

    @abstractmethod
    def epoch(self, label: str) -> str:
        """The id of ``label``'s log as this process last read it; it changes only when the
        log was lost and numbering started over (``""``: a log that is never lost)."""

    @abstractmethod
    async def catch_up(self, label: str) -> None:
        """Hand subscribers of ``label`` everything published so far (and notice a log that
        started over) before returning."""

    @abstractmethod
    async def history(self, label: str, after: int, limit: int) -> list[tuple[int, Body]]:
        """Events numbered after ``after`` that are still kept (at most ``limit``), oldest first."""

    @abstractmethod
    async def forget(self, label: str) -> None:
        """Drop ``label``'s stream and history: its numbering starts over. Idempotent."""


class InboundLedger(ABC):
    """Per widget and page id: the last frame the page sent that was handled.

    Survives the page's reconnects (to any process, in deploy mode), so a frame the page
    sends again, never having heard it was handled, is not handled twice.
    """

    @abstractmethod
    async def last(self, label: str, page_id: str) -> int:
        """The last frame number handled for the page (0: none, or forgotten)."""

    @abstractmethod
    async def accept(self, label: str, page_id: str, seq: int) -> bool:
        """Whether frame ``seq`` of the page is new; records it if so."""

    @abstractmethod
    async def forget(self, label: str) -> None:
        """Drop what is known of ``label``'s pages. Idempotent."""


class Forwarded(enum.Enum):
    """What became of an event handed to the relay."""

    SENT = "sent"  # to the process that showed the widget
    HERE = "here"  # no other process showed it: it is handled here
    GONE = "gone"  # the process that showed it is dead: nobody can handle it


class Relay(ABC):
    """Hands what a page sent to the process that can act on it, when that is another one.

    In deploy mode on several workers a page's socket may be on one worker while the
    callbacks of its widget (a widget a route handler showed) or the question it answers
    (a ``request()``) are on another. One process has nothing to relay: :attr:`shared` is
    false and nothing is ever forwarded.
    """

    @property
    @abstractmethod
    def shared(self) -> bool:
        """Whether other processes serve the same widgets."""

    @property
    @abstractmethod
    def worker_id(self) -> str:
        """This process's name among them."""

    @abstractmethod
    async def start(
        self,
        *,
        on_event: Callable[[Event], object],
        on_response: Callable[[str, Any], None],
        local_pages: Callable[[], dict[str, int]],
    ) -> None:
        """Take what other processes forward here: events for this process's widgets, and
        pages' answers to this process's questions (id, answer); tell the others, while
        alive, how many pages of each widget this process serves (``local_pages()``).
        Idempotent."""

    @abstractmethod
    async def page_counts(self) -> dict[str, int]:
        """Open pages per widget, over every live process (a dead one's stop counting)."""

    @abstractmethod
    async def stop(self) -> None:
        """Stop taking; idempotent."""

    @abstractmethod
    async def claim(self, label: str) -> None:
        """This process showed ``label``: events of its pages with no callback elsewhere
        come here."""

    @abstractmethod
    async def forward_event(self, event: Event) -> Forwarded:
        """Send ``event`` to the process that showed its widget, if another one did."""

    @abstractmethod
    async def forward_response(self, worker: str, ident: str, answer: Any) -> None:
        """Send a page's answer to question ``ident`` to the process ``worker`` that asked."""

    @abstractmethod
    async def running(self, event: Event) -> str | None:
        """A page's ``event`` starts running here: keep it until :meth:`finished`, so that
        if this process dies first, a live one runs it again (``on_event`` of its
        :meth:`start`). Returns what :meth:`finished` takes; ``None``: nothing is kept
        (one process: nobody else could run it)."""

    @abstractmethod
    def finished(self, token: str) -> None:
        """The event :meth:`running` returned ``token`` for ran to its end here. On the
        loop; returns at once."""
