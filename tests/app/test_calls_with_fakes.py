"""Calls both ways without a browser: ``FakePage.call()`` and ``FakePage.handle()``.

What a user's own tests of a callee (or of a script that asks its page) look like.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest

from conftest import fake_settings, run_async
from pywry import IllegalTransitionError, InvalidArgumentError, PageCallError, PyWryTimeoutError
from pywry.testing import CallRejected, FakePage


@pytest.fixture
def app(pywry_app_factory):
    return pywry_app_factory(fake_settings())


def test_a_callee_answers_a_call_with_what_it_returns(app):
    handle = app.show("<p/>", label="w")
    handle.on("app:sum", lambda data: data["a"] + data["b"])
    page = FakePage(app, "w").connect()
    assert page.call("app:sum", {"a": 1, "b": 2}) == 3


def test_an_exact_callee_answers_before_a_wildcard_listener(app):
    handle = app.show("<p/>", label="w")
    heard: list[str] = []
    handle.on("app:*", lambda data, event_type: heard.append(event_type) or "wildcard")
    handle.on("app:name", lambda data: "exact")
    page = FakePage(app, "w").connect()
    assert page.call("app:name") == "exact"
    page.emit("app:flush", wait=True)
    assert "app:name" in heard  # the other listener still heard it, as an event


def test_a_wildcard_listener_answers_when_it_is_the_only_one(app):
    app.on("app:*", lambda data, event_type: event_type)
    app.show("<p/>", label="w")
    assert FakePage(app, "w").connect().call("app:any") == "app:any"


def test_a_raising_callee_rejects_the_call_with_its_type_and_message(app):
    def broken(data):
        raise KeyError("missing")

    app.show("<p/>", label="w", callbacks={"app:broken": broken})
    page = FakePage(app, "w").connect()
    with pytest.raises(CallRejected, match="KeyError") as rejected:
        page.call("app:broken")
    assert rejected.value.error_type == "KeyError"
    assert page.events("pywry:error") == []  # answered to the caller, not reported to all


def test_a_call_nobody_listens_to_is_rejected_at_once_naming_it(app):
    app.show("<p/>", label="w")
    with pytest.raises(CallRejected, match="'app:nobody'") as rejected:
        FakePage(app, "w").connect().call("app:nobody", timeout=2)
    assert rejected.value.error_type == "LookupError"


def test_a_value_json_cannot_carry_is_rejected_naming_its_type(app):
    app.show("<p/>", label="w", callbacks={"app:obj": lambda data: threading.Lock()})
    with pytest.raises(CallRejected, match="lock") as rejected:
        FakePage(app, "w").connect().call("app:obj")
    assert "JSON" in rejected.value.message


def test_other_pages_of_the_widget_see_the_reply_but_it_settles_only_the_callers_call(app):
    app.show("<p/>", label="w", callbacks={"app:one": lambda data: 1})
    caller, other = FakePage(app, "w").connect(), FakePage(app, "w").connect()
    assert caller.call("app:one") == 1
    assert other.call("app:one") == 1  # its own call, its own id


def test_the_script_asks_a_fake_page_and_gets_its_handlers_answer(app):
    handle = app.show("<p/>", label="w")
    page = FakePage(app, "w").connect()
    page.handle("ui:selection", lambda data: ["a", "b"][: data["max"]])
    assert handle.request("ui:selection", {"max": 1}, timeout=5) == ["a"]
    assert app.request("ui:selection", {"max": 2}, timeout=5) == ["a", "b"]  # the only widget
    assert run_async(handle.request_async("ui:selection", {"max": 0}, timeout=5)) == []


def test_a_page_handler_that_raises_gives_page_call_error(app):
    handle = app.show("<p/>", label="w")

    def broken(data):
        raise ValueError("nope")

    FakePage(app, "w").connect().handle("ui:x", broken)
    with pytest.raises(PageCallError, match="ValueError: nope") as failed:
        handle.request("ui:x", timeout=5)
    assert (failed.value.event, failed.value.name) == ("ui:x", "ValueError")


def test_no_handler_on_any_page_fails_at_once_but_one_page_with_it_answers(app):
    handle = app.show("<p/>", label="w")
    FakePage(app, "w").connect()
    with pytest.raises(PageCallError, match="NoHandler"):
        handle.request("ui:x", timeout=5)
    FakePage(app, "w").connect().handle("ui:x", lambda data: "here")
    assert handle.request("ui:x", timeout=5) == "here"


def test_a_request_times_out_and_a_late_answer_is_dropped(app):
    handle = app.show("<p/>", label="w")
    with pytest.raises(
        PyWryTimeoutError, match=r"no page of widget 'w' answered 'ui:x' within 0.1"
    ):
        handle.request("ui:x", timeout=0.1)
    page = FakePage(app, "w").connect().handle("ui:x", lambda data: "late")
    assert page.events("pywry:request") == []  # the question was withdrawn


def test_a_page_that_connects_while_a_request_waits_gets_it(app):
    handle = app.show("<p/>", label="w")
    answer: dict[str, Any] = {}
    asker = threading.Thread(target=lambda: answer.update(v=handle.request("ui:x", timeout=10)))
    asker.start()
    page = FakePage(app, "w")
    page.handle("ui:x", lambda data: "from the late page")
    page.connect()
    asker.join(15)
    assert answer == {"v": "from the late page"}


def test_request_needs_a_label_unless_one_widget_is_shown_and_a_positive_timeout(app):
    app.show("<p/>", label="a")
    app.show("<p/>", label="b")
    with pytest.raises(InvalidArgumentError, match="needs label="):
        app.request("ui:x")
    with pytest.raises(InvalidArgumentError, match="timeout"):
        app.request("ui:x", label="a", timeout=0)


def test_requests_fail_when_the_server_stops_and_refuse_after(app):
    handle = app.show("<p/>", label="w")
    failure: dict[str, BaseException] = {}

    def ask() -> None:
        try:
            handle.request("ui:x", timeout=20)
        except BaseException as exc:
            failure["exc"] = exc

    asker = threading.Thread(target=ask)
    asker.start()
    requests = app.container.page_requests()
    stopped = threading.Event()
    while not requests.waiting:  # no page is open: the question waits for one
        assert asker.is_alive()
        stopped.wait(0.005)
    app.destroy()
    asker.join(10)
    assert "stopped" in str(failure["exc"])
    with pytest.raises(IllegalTransitionError):
        handle.request("ui:x", timeout=1)
