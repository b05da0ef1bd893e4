"""What a page is sent next, worked out with no loop and no socket: the outbox alone."""

from __future__ import annotations

import json
from typing import Any

import pytest

from pywry.app.frames import control_frame, sequenced
from pywry.app.outbox import MAX_CONTROL, Outbox
from pywry.domain.protocol import Close
from pywry.domain.session import Session
from pywry.domain.stream import FrameStream


def events(stream: FrameStream, *names: str) -> None:
    for name in names:
        seq = stream.head + 1
        stream.append(seq, sequenced(seq, json.dumps({"type": name}).encode()))


def frames(message: str | None) -> list[dict[str, Any]]:
    assert message is not None
    decoded = json.loads(message)
    return decoded.get("events", [decoded])  # type: ignore[no-any-return]


def types(message: str | None) -> list[str]:
    return [f["type"] for f in frames(message)]


@pytest.fixture
def stream() -> FrameStream:
    return FrameStream(max_frames=10, max_bytes=10_000)


@pytest.fixture
def session() -> Session:
    return Session(label="w", page_id="tab")


def outbox(stream: FrameStream, session: Session, cursor: int = 0, **kw: Any) -> Outbox:
    return Outbox(stream, session, cursor=cursor, batch_bytes=kw.get("batch_bytes", 10_000))


def test_nothing_queued_means_no_message(stream, session):
    assert outbox(stream, session).next_message() is None


def test_what_follows_the_cursor_goes_as_one_message_in_order(stream, session):
    events(stream, "app:a", "app:b", "app:c")
    box = outbox(stream, session, cursor=1)
    assert types(box.next_message()) == ["app:b", "app:c"]
    assert box.cursor == 3
    assert box.next_message() is None


def test_one_event_goes_as_a_frame_of_its_own_not_a_batch(stream, session):
    events(stream, "app:a")
    message = outbox(stream, session).next_message()
    assert message is not None
    assert json.loads(message)["type"] == "app:a"


def test_a_message_holds_about_the_batch_bytes_and_the_rest_follows(stream, session):
    events(stream, *[f"app:e{k}" for k in range(6)])
    box = outbox(stream, session, batch_bytes=60)  # room for two of these frames
    messages = []
    while (message := box.next_message()) is not None:
        messages.append(types(message))
    assert [len(m) for m in messages] == [2, 2, 2]
    assert [name for message in messages for name in message] == [f"app:e{k}" for k in range(6)]


def test_frames_for_the_page_alone_go_first_the_hello_before_all(stream, session):
    events(stream, "app:a")
    box = outbox(stream, session)
    box.control(control_frame("pywry:error", {}))
    box.hello(control_frame("pywry:hello", {}))
    assert types(box.next_message()) == ["pywry:hello", "pywry:error", "app:a"]


def test_frames_for_the_page_alone_are_bounded(stream, session):
    box = outbox(stream, session)
    assert all(box.control(control_frame("pywry:error", {})) for _ in range(MAX_CONTROL))
    assert not box.control(control_frame("pywry:error", {}))


def test_an_acknowledgement_says_what_was_handled_when_it_goes_and_only_news(stream, session):
    box = outbox(stream, session)
    session.handled = 3
    box.acknowledge()
    session.handled = 5  # handled meanwhile: the acknowledgement says so
    (ack,) = frames(box.next_message())
    assert (ack["type"], ack["data"]) == ("pywry:ack", {"inbound": 5})
    box.acknowledge()
    assert box.next_message() is None  # nothing new to acknowledge


def test_a_goodbye_goes_after_every_event_emitted_before_it_never_before(stream, session):
    events(stream, "app:a", "app:b")
    box = outbox(stream, session, batch_bytes=30)  # one event a message
    box.say_last(control_frame("pywry:closed", {}))
    sent = []
    while (message := box.next_message()) is not None:
        sent += types(message)
    assert sent == ["app:a", "app:b", "pywry:closed"]


def test_a_close_comes_after_what_was_queued_but_not_after_what_came_later(stream, session):
    events(stream, "app:a")
    box = outbox(stream, session)
    box.close_after(Close.NORMAL, "bye")
    events(stream, "app:later")
    assert types(box.next_message()) == ["app:a"]
    assert box.next_message() is None
    assert box.close_due() == (Close.NORMAL, "bye")


def test_a_page_that_fell_off_the_stream_is_told_how_much_and_to_reload(session):
    small = FrameStream(max_frames=3, max_bytes=10_000)
    events(small, *[f"app:e{k}" for k in range(8)])
    box = outbox(small, session)
    message = frames(box.next_message())
    assert [f["type"] for f in message] == ["pywry:overflow", "pywry:resync"]
    assert message[0]["data"] == {"missed": 5, "cursor": 0}
    assert box.close_due() == (Close.RESYNC, "resync")
    events(small, "app:after")
    assert box.next_message() is None  # nothing more for a page that reloads
