"""The script asks a widget's pages and waits for the first answer.

``handle.request("ui:get-selection", data)`` sends ``pywry:request`` ``{id, type, data}``
to every open page of the widget, and to every page that connects (or reconnects) while
the question is open, so a page that was not there yet, or whose socket dropped, still
gets it; the page answers each id once. Its answer, ``pywry:response`` ``{id, ok, value |
error}``, travels in the page's exactly-once outbox. The first answer wins; later ones
and answers to questions no longer open are dropped. A page without a handler says so at
once: when every open page said so, the question fails with :class:`PageCallError`.
The caller's timeout bounds the wait.
"""

from __future__ import annotations

import concurrent.futures
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..domain.errors import PageCallError, ServerError
from ..domain.ports import EventLoop
from ..domain.protocol import Control
from .channels import Channels
from .frames import encode_body
from .pages import PageSession

__all__ = ["NO_HANDLER", "PageRequests"]

log = logging.getLogger("pywry.requests")

NO_HANDLER = "NoHandler"  # the error name of a page that has no handler for the event


class _Failure(msgspec.Struct, forbid_unknown_fields=False):
    name: str = "Error"
    message: str = ""


class _Response(msgspec.Struct, forbid_unknown_fields=False):
    id: str
    ok: bool
    value: Any = None
    error: _Failure | None = None


@dataclass(slots=True)
class _Question:
    label: str
    event: str
    frame: dict[str, Any]  # the pywry:request data, sent to every page
    answer: concurrent.futures.Future[Any]
    refused_by: set[str] = field(default_factory=set)  # pages with no handler for it


class PageRequests:
    """The open questions of one app, keyed by id; their state lives on the loop."""

    def __init__(self, *, channels: Channels, loop: EventLoop) -> None:
        self._channels = channels
        self._loop = loop
        self._open: dict[str, _Question] = {}

    @property
    def waiting(self) -> int:
        """How many questions wait for an answer."""
        return len(self._open)

    def ask(self, label: str, event: str, data: Any) -> tuple[str, concurrent.futures.Future[Any]]:
        """Send the question (from any thread); its id and the future of its answer."""
        ident = uuid.uuid4().hex
        frame = {"id": ident, "type": event, "data": data}
        encode_body(Control.REQUEST, frame)  # data JSON cannot carry raises here, in the caller
        question = _Question(label, event, frame, concurrent.futures.Future())
        self._loop.call_soon(self._send, ident, question)
        return ident, question.answer

    def forget(self, ident: str) -> None:
        """The caller stopped waiting (a timeout): a late answer is dropped. Any thread."""
        self._loop.call_soon(self._open.pop, ident, None)

    def _send(self, ident: str, question: _Question) -> None:
        if question.answer.done():  # given up before it left
            return
        self._open[ident] = question
        for page in self._channels.pages_of(question.label):
            page.send_control(Control.REQUEST, question.frame)

    def page_connected(self, page: PageSession) -> None:
        """A page (new, or back after a drop) gets the questions its widget has open."""
        for question in self._open.values():
            if question.label == page.label:
                page.send_control(Control.REQUEST, question.frame)

    def answered(self, page: PageSession, data: Any) -> None:
        """A page's ``pywry:response``: settle its question, if it is still open."""
        try:
            response = msgspec.convert(data, _Response)
        except msgspec.ValidationError as exc:
            log.debug("a page of %r sent a bad response: %s", page.label, exc)
            return
        question = self._open.get(response.id)
        if question is None or question.label != page.label:
            return  # answered already, given up, or not this widget's: dropped
        failure = response.error or _Failure()
        if not response.ok and failure.name == NO_HANDLER:
            question.refused_by.add(page.page_id)
            open_pages = {p.page_id for p in self._channels.pages_of(question.label)}
            if not open_pages <= question.refused_by:
                return  # another page may have a handler
        del self._open[response.id]
        if question.answer.done():
            return
        if response.ok:
            question.answer.set_result(response.value)
        else:
            question.answer.set_exception(
                PageCallError(question.event, failure.name, failure.message)
            )

    def stop(self) -> None:
        """The server stops: every open question fails at once. On the loop."""
        questions, self._open = list(self._open.values()), {}
        for question in questions:
            if not question.answer.done():
                question.answer.set_exception(
                    ServerError(f"the server stopped before a page answered {question.event!r}")
                )
