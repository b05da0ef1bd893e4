from __future__ import annotations

import pickle
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from pywry.domain import (
    FrameStream,
    IllegalTransitionError,
    InvalidEventNameError,
    InvalidLabelError,
    Session,
    SessionState,
    Token,
    Widget,
    check_event_name,
    check_handler_pattern,
    check_label,
    matches,
    new_label,
)
from pywry.domain.session import HandledFrames

# ---------------------------------------------------------------- tokens


def test_a_token_never_shows_its_value():
    token = Token.generate()
    secret = token.reveal()
    assert secret not in repr(token)
    assert secret not in str(token)
    assert secret not in f"{token}"
    assert secret not in repr(Widget(label="a", html="", token=token))


def test_a_token_matches_only_itself():
    token = Token("abc")
    assert token.matches("abc")
    assert token.matches(b"abc")
    assert not token.matches("abd")
    assert not token.matches("")
    assert not token.matches(None)
    assert token == Token("abc")
    assert token != Token("abd")


def test_a_token_is_url_safe_and_long():
    value = Token.generate().reveal()
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)


def test_a_token_cannot_be_pickled():
    with pytest.raises(TypeError):
        pickle.dumps(Token.generate())


# ---------------------------------------------------------------- event names


@pytest.mark.parametrize(
    "name", ["app:click", "chart:select:3", "a:b-c_d", "pywry:update-html", "x1:y:z_9"]
)
def test_valid_event_names_pass(name):
    assert check_event_name(name) == name


@pytest.mark.parametrize(
    "name", ["click", ":click", "app:", "1app:x", "app:1x", "app:x:y:z", "a b:c", ""]
)
def test_invalid_event_names_are_refused_with_a_hint(name):
    with pytest.raises(InvalidEventNameError, match="namespace:event"):
        check_event_name(name)


def test_invalid_event_names_are_value_errors():
    with pytest.raises(ValueError):
        check_event_name("nope")


def test_handlers_may_listen_with_wildcards():
    assert check_handler_pattern("*") == "*"
    assert check_handler_pattern("app:*") == "app:*"
    with pytest.raises(InvalidEventNameError):
        check_handler_pattern("app*")


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("*", "app:x", True),
        ("app:*", "app:x", True),
        ("app:*", "apple:x", False),
        ("app:x", "app:x", True),
        ("app:x", "app:y", False),
    ],
)
def test_wildcards_match_as_documented(pattern, name, expected):
    assert matches(pattern, name) is expected


@given(
    st.from_regex(r"\A[a-zA-Z][a-zA-Z0-9]{0,8}:[a-zA-Z][a-zA-Z0-9_-]{0,8}(:[a-zA-Z0-9_-]{1,5})?\Z")
)
def test_every_name_of_the_documented_pattern_is_accepted(name):
    assert check_event_name(name) == name


@given(st.text(max_size=20).filter(lambda s: ":" not in s))
def test_a_name_without_a_namespace_is_always_refused(name):
    with pytest.raises(InvalidEventNameError):
        check_event_name(name)


# ---------------------------------------------------------------- labels and widgets


def test_labels_name_the_allowed_characters_when_refused():
    with pytest.raises(InvalidLabelError, match=r"A-Z, a-z, 0-9, '_' and '-'"):
        check_label("my chart")
    with pytest.raises(ValueError):
        check_label("../etc")


def test_random_labels_are_short_and_url_safe():
    labels = {new_label() for _ in range(200)}
    assert len(labels) == 200
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{1,12}", label) for label in labels)


def test_a_revised_widget_keeps_label_and_token():
    widget = Widget(label="chart", html="<b>1</b>", title="T")
    revised = widget.revised(html="<b>2</b>")
    assert (revised.label, revised.token, revised.title) == ("chart", widget.token, "T")
    assert revised.revision == widget.revision + 1


def test_widget_content_must_be_a_string():
    with pytest.raises(TypeError, match="HTML string"):
        Widget(label="a", html=b"bytes")  # type: ignore[arg-type]


# ---------------------------------------------------------------- sessions


def test_a_session_moves_through_its_lifecycle():
    session = Session(label="a", page_id="p")
    session.move_to(SessionState.OPEN)
    session.move_to(SessionState.CLOSING)
    session.move_to(SessionState.CLOSED)
    session.move_to(SessionState.CLOSED)  # idempotent
    assert session.state is SessionState.CLOSED


def test_a_closed_session_cannot_reopen():
    session = Session(label="a", page_id="p", state=SessionState.CLOSED)
    with pytest.raises(IllegalTransitionError, match="from closed to open"):
        session.move_to(SessionState.OPEN)


def test_only_a_page_that_gave_its_id_can_resume():
    assert Session(label="a", page_id="tab-1").resumable
    assert not Session(label="a", page_id="anonymous").resumable


def test_handled_frames_forget_the_least_recently_active_page_first():
    handled = HandledFrames(max_pages=2)
    assert handled.accept("a", 1)
    assert handled.accept("b", 1)
    assert handled.last("a") == 1  # "a" is now the most recent
    assert handled.accept("c", 1)
    assert (handled.knows("a"), handled.knows("b"), handled.knows("c")) == (True, False, True)
    assert len(handled) == 2


def test_handled_frames_refuse_what_was_handled_and_take_what_follows():
    handled = HandledFrames(max_pages=4)
    assert handled.accept("p", 3)
    assert not handled.accept("p", 3)
    assert not handled.accept("p", 2)
    assert handled.accept("p", 4)
    assert handled.last("p") == 4


# ---------------------------------------------------------------- frame streams


def fill(stream: FrameStream, *frames: bytes) -> None:
    for frame in frames:
        assert stream.append(stream.head + 1, frame)


def test_a_stream_returns_what_follows_a_cursor_in_order():
    stream = FrameStream(max_frames=10, max_bytes=1000)
    fill(stream, *(f"f{i}".encode() for i in range(1, 6)))
    assert stream.after(2) == [b"f3", b"f4", b"f5"]
    assert stream.after(5) == []
    assert stream.after(0, limit=2) == [b"f1", b"f2"]


def test_a_stream_gives_the_newest_frame_alone_unless_the_limit_is_zero():
    stream = FrameStream(max_frames=10, max_bytes=1000)
    fill(stream, b"f1", b"f2", b"f3")
    assert stream.after(2) == [b"f3"]
    assert stream.after(2, limit=1) == [b"f3"]
    assert stream.after(2, limit=0) == []


def test_a_stream_forgets_the_oldest_frames_beyond_its_bounds():
    stream = FrameStream(max_frames=3, max_bytes=1000)
    fill(stream, *[b"x"] * 6)
    assert (stream.tail, stream.head, len(stream)) == (4, 6, 3)
    assert stream.holds_after(3)
    assert not stream.holds_after(2)


def test_a_stream_is_bounded_by_bytes_but_keeps_the_newest_frame():
    stream = FrameStream(max_frames=100, max_bytes=10)
    fill(stream, b"12345", b"123456")
    assert len(stream) == 1
    fill(stream, b"x" * 50)
    assert stream.after(stream.head - 1) == [b"x" * 50]


@given(st.integers(1, 50), st.integers(0, 200), st.data())
def test_a_stream_never_skips_or_repeats_a_frame(size, count, data):
    stream = FrameStream(max_frames=size, max_bytes=10**6)
    fill(stream, *(str(i).encode() for i in range(1, count + 1)))
    cursor = data.draw(st.integers(0, count))
    if stream.holds_after(cursor):
        assert [int(f) for f in stream.after(cursor)] == list(range(cursor + 1, count + 1))
    else:
        assert cursor < count - size


def test_a_stream_takes_the_numbers_the_bus_gave_ignores_repeats_and_refuses_gaps():
    stream = FrameStream(max_frames=10, max_bytes=1000)
    assert stream.append(1, b"a")
    assert not stream.append(1, b"a again")  # delivered twice: kept once
    with pytest.raises(ValueError, match="frame 3 does not follow frame 1"):
        stream.append(3, b"c")
    assert stream.after(0) == [b"a"]


@pytest.mark.parametrize("name", [None, 3])
def test_an_event_name_must_be_a_string(name):
    with pytest.raises(InvalidEventNameError, match="must be a string"):
        check_event_name(name)
