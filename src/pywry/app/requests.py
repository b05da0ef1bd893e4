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

import asyncio
import concurrent.futures
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

import msgspec

from ..domain.errors import PageCallError, ServerError
from ..domain.ports import EventLoop, Relay
from ..domain.protocol import Control
from .channels import Channels
from .frames import encode_body
from .inbox import Emit, Inbox
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

    def __init__(self, *, channels: Channels, loop: EventLoop, relay: Relay, inbox: Inbox) -> None:
        self._channels = channels
        self._loop = loop
        self._relay = relay
        self._inbox = inbox
        self._open: dict[str, _Question] = {}
        self._forwarding: set[asyncio.Task[None]] = set()

    @property
    def waiting(self) -> int:
        """How many questions wait for an answer."""
        return len(self._open)

    def ask(self, label: str, event: str, data: Any) -> tuple[str, concurrent.futures.Future[Any]]:
        """Send the question (from any thread); its id and the future of its answer."""
        # The asker's name leads the id: a worker holding the answering page sends it there.
        ident = f"{self._relay.worker_id}.{uuid.uuid4().hex}"
        frame = {"id": ident, "type": event, "data": data}
        body = encode_body(Control.REQUEST, frame)  # data JSON cannot carry raises here
        question = _Question(label, event, frame, concurrent.futures.Future())
        self._loop.call_soon(self._send, ident, question)
        if self._relay.shared:
            # Pages on other workers too: through the widget's stream, to all of them.
            self._inbox.put(Emit(label, body))
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
        """A page's ``pywry:response``: settle its question, if it is still open here, or
        send it to the worker that asked."""
        response = _response(data)
        if response is None:
            log.debug("a page of %r sent a bad response", page.label)
            return
        question = self._open.get(response.id)
        if question is None:
            self._relay_answer(response.id, data)
            return
        if question.label != page.label:
            return  # not this widget's: dropped
        if _no_handler(response):
            question.refused_by.add(page.page_id)
            open_pages = {p.page_id for p in self._channels.pages_of(question.label)}
            if not open_pages <= question.refused_by:
                return  # another page may have a handler
        self._settle(question, response)

    def answered_elsewhere(self, ident: str, data: Any) -> None:
        """A page served by another worker answered one of this worker's questions. A page
        there without a handler settles nothing: another page may have one."""
        response = _response(data)
        question = self._open.get(ident)
        if response is not None and question is not None and not _no_handler(response):
            self._settle(question, response)

    def _settle(self, question: _Question, response: _Response) -> None:
        self._open.pop(response.id, None)
        if question.answer.done():
            return
        if response.ok:
            question.answer.set_result(response.value)
        else:
            failure = response.error or _Failure()
            question.answer.set_exception(
                PageCallError(question.event, failure.name, failure.message)
            )

    def _relay_answer(self, ident: str, data: Any) -> None:
        """An answer to a question another worker asked goes there; any other is dropped
        (answered already, or given up)."""
        worker = ident.rpartition(".")[0]
        if not self._relay.shared or not worker or worker == self._relay.worker_id:
            return
        task = asyncio.get_running_loop().create_task(
            self._relay.forward_response(worker, ident, data)
        )
        self._forwarding.add(task)
        task.add_done_callback(self._forwarding.discard)

    def stop(self) -> None:
        """The server stops: every open question fails at once. On the loop."""
        questions, self._open = list(self._open.values()), {}
        for question in questions:
            if not question.answer.done():
                question.answer.set_exception(
                    ServerError(f"the server stopped before a page answered {question.event!r}")
                )


def _response(data: Any) -> _Response | None:
    try:
        return msgspec.convert(data, _Response)
    except msgspec.ValidationError:
        return None


def _no_handler(response: _Response) -> bool:
    return not response.ok and (response.error or _Failure()).name == NO_HANDLER
