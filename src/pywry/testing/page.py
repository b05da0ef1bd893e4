"""A simulated page: connects to a widget through the app's page port, no socket involved."""

from __future__ import annotations

import asyncio
import secrets
import threading
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import msgspec

from ..app.modes import page_theme
from ..app.page_port import PagePort, Rejection
from ..app.pages import PageSession
from ..app.settings import MAX_TEXT_BYTES
from ..domain.errors import InvalidArgumentError
from ..domain.events import check_event_name
from ..domain.ports import PageConnection
from ..domain.protocol import Control
from .errors import CallbackErrors, CallRejected, PageRefused
from .wire import MessageReader, page_message

if TYPE_CHECKING:
    from ..app.facade import PyWry

__all__ = ["CallRejected", "FakePage", "PageRefused"]

_MISSING = object()
_BOOKKEEPING = frozenset({Control.HELLO, Control.ACK})


def _highest_seq(text: str | bytes) -> int:
    try:
        message = msgspec.json.decode(text)
    except msgspec.DecodeError:
        return 0
    frames = message.get("events", [message]) if isinstance(message, dict) else []
    seqs = [f.get("seq") for f in frames if isinstance(f, dict)]
    return max((s for s in seqs if type(s) is int and s > 0), default=0)


class _Connection(PageConnection):
    def __init__(self, page: FakePage) -> None:
        self._page = page

    def send_text(self, text: str) -> Awaitable[None]:
        self._page._received(self._page._wire.text(text))
        return self._sent()

    def send_bytes(self, data: bytes | memoryview) -> Awaitable[None]:
        self._page._received(self._page._wire.piece(data))
        return self._sent()

    @staticmethod
    def _sent() -> Awaitable[None]:
        sent = asyncio.get_running_loop().create_future()
        sent.set_result(None)
        return sent

    def close(self, code: int, reason: str) -> None:
        # A real socket closed by the server ends its reader, which detaches the page.
        session = self._page._closed_by_server(code, reason)
        if session is not None:
            asyncio.get_running_loop().create_task(self._page._pages.detach(session))


class FakePage:
    """A page of widget ``label`` that records what it receives and can emit events.

    Args:
        app: The ``PyWry`` app whose widget to open.
        label: The widget's label.
        token: The token to present; the widget's own by default.
        since: The last sequence number already seen (for reconnect tests).
    """

    def __init__(
        self, app: PyWry, label: str, *, token: Any = _MISSING, since: int | None = None
    ) -> None:
        self._app = app
        self._pages: PagePort = app.container.reception()
        self._label = label
        widget = app.container.gateway().widget(label)
        self._token = widget.token.reveal() if token is _MISSING else token
        self._since = since
        self._cond = threading.Condition()
        self.frames: list[dict[str, Any]] = []
        self.close_code: int | None = None
        self._session: PageSession | None = None
        self._inbox: asyncio.Queue[str | bytes | None] | None = None
        self._reader: asyncio.Task[None] | None = None
        self._seq = 0
        self._calls = 0
        self._handlers: dict[str, Callable[[Any], Any]] = {}
        self._answered: set[str] = set()
        self._unsent: list[dict[str, Any]] | None = []  # answers made while connecting
        # Each simulated page is a page of its own: pages resume by their id.
        self._page_id = f"fake-{secrets.token_hex(6)}"
        self._shown: tuple[str, str] = ("", "")  # the html and title the page loaded with
        self._wire = MessageReader()
        self._loaded_theme = ""  # the theme the page loaded in

    def connect(self, *, ready: bool = True) -> FakePage:
        """Open the page's connection; raises :class:`PageRefused` if the app says no.

        Like a real page, it then sends ``pywry:ready`` (``ready=False`` leaves it out).
        """
        loop_thread = self._app.container.event_loop()

        async def attach() -> PageSession | Rejection:
            rendered = await self._pages.page(self._label)  # a tab loads the page first
            if rendered is not None:
                self._shown = (rendered.widget.html, rendered.widget.title)
                self._loaded_theme = rendered.widget.theme or self._app.theme
            self._wire = MessageReader()  # a new socket: nothing half-received carries over
            result = await self._pages.attach(
                self._label,
                token=self._token,
                page_id=self._page_id,
                since=self._since,
                conn=_Connection(self),
            )
            if isinstance(result, PageSession):
                self._inbox = asyncio.Queue()
                self._reader = asyncio.get_running_loop().create_task(
                    self._read(result, self._inbox)
                )
            return result

        result = loop_thread.run(attach())
        if isinstance(result, Rejection):
            raise PageRefused(result.code, result.error, result.message)
        self._session = result
        with self._cond:
            unsent, self._unsent = self._unsent or [], None
        for answer in unsent:
            self._send(Control.RESPONSE, answer, check=False)
        if ready:
            self.emit(Control.READY, {})
        return self

    def emit(
        self, event_type: str, data: Any = None, *, wait: bool = False, timeout: float = 5.0
    ) -> None:
        """Send an event as the page would (``window.pywry.emit``).

        A bad event name, or an event over the server's ``max_message_size``, raises here as
        it throws in a page. With ``wait``, returns once the callbacks it started (and any
        others queued or running) have finished, for tests of a callback's side effects;
        ``TimeoutError`` after ``timeout`` seconds. If the app records callback errors (the
        pytest fixtures' apps do), the first callback that raised meanwhile raises here.
        """
        self._send(event_type, data)
        if wait:
            runner = self._app.container.callback_runner()
            inbox = self._inbox
            assert inbox is not None

            async def settle() -> bool:
                await asyncio.wait_for(inbox.join(), timeout)  # read, pieces and all
                return await runner.settle(timeout)

            settled = self._app.container.event_loop().run(settle(), timeout=timeout + 5)
            if not settled:
                raise TimeoutError(f"callbacks still running after {timeout} s")
            errors = self._app.container.callback_failures()
            if isinstance(errors, CallbackErrors):
                errors.raise_first()

    def call(self, event_type: str, data: Any = None, *, timeout: float = 5.0) -> Any:
        """Call Python as ``await window.pywry.call(event_type, data)`` does; its answer.

        Raises :class:`CallRejected` when the callback raised (or none listens), and
        ``TimeoutError`` after ``timeout`` seconds.
        """
        self._calls += 1
        ident = f"{self._page_id}.{self._calls}"
        self._send(event_type, data, ident)

        def replied() -> dict[str, Any] | None:
            for frame in self.frames:
                body = frame.get("data")
                if not (frame.get("type") == Control.REPLY and isinstance(body, dict)):
                    continue
                if body.get("id") == ident:
                    return body
            return None

        with self._cond:
            reply = self._cond.wait_for(replied, timeout)
        if reply is None:
            raise TimeoutError(f"no answer to {event_type!r} within {timeout} s")
        if reply.get("ok"):
            return reply.get("value")
        error = reply.get("error") or {}
        raise CallRejected(event_type, str(error.get("type")), str(error.get("message")))

    def handle(self, event_type: str, fn: Callable[[Any], Any] | None) -> FakePage:
        """Answer the script's ``request(event_type, data)`` with ``fn(data)``, as
        ``window.pywry.handle`` does (``None`` removes it). ``fn`` runs on the server's
        loop thread when the request arrives: keep it quick, as a page's handler."""
        check_event_name(event_type)
        if fn is None:
            self._handlers.pop(event_type, None)
        else:
            self._handlers[event_type] = fn
        return self

    def _answer(self, request: dict[str, Any]) -> None:
        ident = request.get("id")
        if not isinstance(ident, str) or ident in self._answered:
            return  # sent again after a reconnect: answered once
        self._answered.add(ident)
        fn = self._handlers.get(str(request.get("type")))
        if fn is None:
            message = f"this page has no handler for {request.get('type')!r}"
            answer = {"id": ident, "ok": False, "error": {"name": "NoHandler", "message": message}}
        else:
            try:
                answer = {"id": ident, "ok": True, "value": fn(request.get("data"))}
            except Exception as exc:
                answer = {
                    "id": ident,
                    "ok": False,
                    "error": {"name": type(exc).__name__, "message": str(exc)},
                }
        with self._cond:
            if self._unsent is not None:  # still connecting: sent once connected
                self._unsent.append(answer)
                return
        self._send(Control.RESPONSE, answer, check=False)

    def _send(
        self, event_type: str, data: Any, call_id: str | None = None, *, check: bool = True
    ) -> None:
        if self._session is None:
            raise RuntimeError("connect() the FakePage before it emits")
        if check:
            check_event_name(event_type)
        self._seq += 1
        frame = {"type": event_type, "data": data, "widgetId": self._label, "ts": 0}
        raw, pieces = page_message(
            {**frame, "seq": self._seq, **({"id": call_id} if call_id else {})}
        )
        size = len(raw) + sum(piece.nbytes for piece in pieces)
        limit = self._app.settings.server.max_message_size
        if size > limit or len(raw) > MAX_TEXT_BYTES:
            self._seq -= 1
            raise InvalidArgumentError(
                f"event {event_type!r} is too big to send ({size} bytes; the server "
                f"accepts {limit})"
            )
        self._deliver(raw.decode())
        for piece in pieces:
            self._deliver(bytes(piece))

    def send_raw(self, text: str | bytes) -> None:
        """Send ``text`` as one message, unchecked: what a broken or hostile client sends
        (``bytes`` go as a binary message: a piece of the binary values a frame announced).

        A frame number in it counts as this page's: later :meth:`emit` calls number after it
        (the server drops any frame numbered at or below one it handled).
        """
        if self._session is None:
            raise RuntimeError("connect() the FakePage before it sends")
        if isinstance(text, str):
            self._seq = max(self._seq, _highest_seq(text))
        self._deliver(text)

    def _deliver(self, raw: str | bytes) -> None:
        inbox = self._inbox
        assert inbox is not None
        self._app.container.event_loop().call_soon(inbox.put_nowait, raw)

    async def _read(self, session: PageSession, inbox: asyncio.Queue[str | bytes | None]) -> None:
        # As a real page's reader: one message at a time, in the order they were sent.
        while (raw := await inbox.get()) is not None:
            try:
                await self._pages.receive(session, raw)
            finally:
                inbox.task_done()

    def close(self, *, goodbye: bool = True) -> None:
        """Go away as a closed tab does: ``pywry:disconnect`` first (``goodbye=False``: not)."""
        if self._session is None:
            return
        if goodbye:
            self.emit(Control.DISCONNECT, {"reason": "page closed"})
        session, self._session = self._session, None
        inbox, reader = self._inbox, self._reader

        async def detach() -> None:
            if inbox is not None and reader is not None:
                inbox.put_nowait(None)  # what was sent before is read first
                await asyncio.gather(reader, return_exceptions=True)
            await self._pages.detach(session)

        self._app.container.event_loop().run(detach())

    @property
    def label(self) -> str:
        """The widget this page shows."""
        return self._label

    @property
    def html(self) -> str:
        """The widget's HTML as the page shows it: as loaded, or as ``update_content`` set it."""
        return self._content()[0]

    @property
    def title(self) -> str:
        """The page's title: as loaded, or as ``update_content`` set it."""
        return self._content()[1]

    def _content(self) -> tuple[str, str]:
        with self._cond:
            for frame in reversed(self.frames):
                body = frame.get("data")
                if frame.get("type") == Control.UPDATE_HTML and isinstance(body, dict):
                    return str(body.get("html", "")), str(body.get("title", ""))
        return self._shown

    @property
    def theme(self) -> str:
        """The page's theme (``dark``, ``light`` or ``system``): as it loaded in, or as the
        last ``pywry:update-theme`` switched it, read as the page's bridge reads it."""
        with self._cond:
            for frame in reversed(self.frames):
                if frame.get("type") == Control.UPDATE_THEME:
                    body = frame.get("data")
                    if isinstance(body, dict) and body.get("theme"):
                        return page_theme(body["theme"])
        return self._loaded_theme

    @property
    def alerts(self) -> list[dict[str, Any]]:
        """Every alert shown on this page (``message``, ``type``, ``title``...), oldest first."""
        return [data for data in self.events(Control.ALERT) if isinstance(data, dict)]

    @property
    def last_seq(self) -> int:
        with self._cond:
            seqs = [f["seq"] for f in self.frames if isinstance(f.get("seq"), int)]
        return max(seqs, default=0)

    def events(self, event_type: str | None = None) -> list[Any]:
        """Data of the events received so far (of one type, or all as (type, data)).

        All of them leaves out the protocol's own bookkeeping (``pywry:hello``, ``pywry:ack``),
        which a page's handlers never see either; ``frames`` keeps everything.
        """
        with self._cond:
            if event_type is None:
                return [
                    (f.get("type"), f.get("data"))
                    for f in self.frames
                    if f.get("type") not in _BOOKKEEPING
                ]
            return [f.get("data") for f in self.frames if f.get("type") == event_type]

    def wait_for(self, event_type: str, *, count: int = 1, timeout: float = 5.0) -> Any:
        """Wait until ``count`` events of ``event_type`` arrived; return the last one's data."""
        with self._cond:
            done = self._cond.wait_for(
                lambda: sum(f.get("type") == event_type for f in self.frames) >= count, timeout
            )
            if not done:
                seen = sorted({str(f.get("type")) for f in self.frames})
                raise TimeoutError(f"no {event_type!r} (x{count}) within {timeout} s; got {seen}")
            return [f.get("data") for f in self.frames if f.get("type") == event_type][count - 1]

    def wait_closed(self, timeout: float = 5.0) -> int:
        """Wait until the server closed this page; the close code (1001: server stopped)."""
        with self._cond:
            if not self._cond.wait_for(lambda: self.close_code is not None, timeout):
                raise TimeoutError(f"the page was not closed within {timeout} s")
            assert self.close_code is not None
            return self.close_code

    def _received(self, items: list[dict[str, Any]]) -> None:
        if not items:
            return  # binary values still on their way
        with self._cond:
            self.frames.extend(items)
            self._cond.notify_all()
        for item in items:
            if isinstance(item, dict) and item.get("type") == Control.REQUEST:
                self._answer(item.get("data") or {})

    def _closed_by_server(self, code: int, reason: str) -> PageSession | None:
        with self._cond:
            self.close_code = code
            session, self._session = self._session, None
            self._cond.notify_all()
        if session is not None and self._reader is not None:
            self._reader.cancel()  # a closed socket reads nothing more
        return session
