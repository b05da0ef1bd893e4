"""Binary values in events, without a browser: taken out, numbered, sent in pieces, put back.

The codec (``app/binary.py``), the frames that carry it, the page's inbound side with its
limits, and the fake page of the testing kit, which speaks the same wire format.
"""

from __future__ import annotations

import asyncio
import json

import pytest

from conftest import fake_settings, run_async
from pywry import InvalidArgumentError
from pywry.adapters.memory import MemoryInboundLedger
from pywry.app.binary import CHUNK, Bin, Incoming, chunks, join, split
from pywry.app.binary_frames import BinaryBody, BinaryFrame, Outgoing
from pywry.app.channels import WidgetChannel
from pywry.app.frames import binary_message, encode_body, sequenced
from pywry.app.inbound import Inbound
from pywry.app.pages import PageSession
from pywry.domain.events import Event
from pywry.domain.session import Session
from pywry.domain.widget import Widget
from pywry.testing import FakePage, RecordingConnection

# ------------------------------------------------------------------ the codec


def test_data_without_binary_values_comes_back_as_it_was_uncopied():
    data = {"x": [1.5, 2, None], "rows": [{"a": "b"}], "ok": True}
    stripped, bins, buffers = split(data)
    assert stripped is data
    assert (bins, buffers) == ([], [])


def test_binary_values_leave_nulls_behind_and_the_page_data_is_not_changed():
    mutable = bytearray(b"ab")
    data = {"a": b"xyz", "rows": [1, {"deep": mutable}], "keep": [1, 2]}
    stripped, bins, buffers = split(data)
    mutable[0] = ord("Z")  # changed after the emit: what was sent is the old value
    assert stripped == {"a": None, "rows": [1, {"deep": None}], "keep": [1, 2]}
    assert stripped["keep"] is data["keep"]  # only what leads to a value is copied
    assert data["rows"][1]["deep"] is mutable
    assert bins == [Bin(["a"], 3), Bin(["rows", 1, "deep"], 2)]
    assert [bytes(b) for b in buffers] == [b"xyz", b"ab"]


def test_a_value_at_the_top_and_tuples_and_memoryviews_are_found_too():
    assert split(memoryview(b"top"))[1] == [Bin([], 3)]
    stripped, bins, _ = split((1, b"t"))
    assert (stripped, bins) == ([1, None], [Bin([1], 1)])


def test_numpy_arrays_go_with_dtype_and_shape_little_endian_and_refused_when_pages_cannot():
    numpy = pytest.importorskip("numpy")
    big_endian = numpy.arange(4, dtype=">i4").reshape(2, 2)
    _, bins, buffers = split({"a": big_endian})
    assert bins == [Bin(["a"], 16, "int32", [2, 2])]
    assert bytes(buffers[0]) == numpy.arange(4, dtype="<i4").tobytes()
    with pytest.raises(InvalidArgumentError, match=r"complex128.*astype"):
        split(numpy.zeros(2, dtype=complex))


def test_pieces_are_views_of_at_most_a_chunk_and_put_back_whole():
    value = memoryview(bytes(range(256)) * (CHUNK // 128 + 1))
    pieces = list(chunks(value))
    assert [p.nbytes for p in pieces] == [CHUNK, CHUNK, value.nbytes - 2 * CHUNK]
    assert all(p.obj is value.obj for p in pieces)  # nothing copied
    assert list(chunks(memoryview(b""))) == []
    incoming = Incoming([Bin([], value.nbytes), Bin([], 0), Bin([], 2)])
    for piece in [*pieces, b"ok"]:
        assert not incoming.complete
        incoming.take(bytes(piece))
    assert incoming.complete
    assert incoming.buffers == [bytes(value), b"", b"ok"]
    with pytest.raises(ValueError, match="no frame announced"):
        incoming.take(b"more")


def test_a_piece_longer_than_announced_and_a_path_to_nowhere_are_errors():
    with pytest.raises(ValueError, match="longer than the 2 bytes"):
        Incoming([Bin([], 2)]).take(b"abc")
    with pytest.raises(ValueError, match="goes nowhere"):
        join({"a": [None]}, [Bin(["a", 3], 1)], [b"x"])
    with pytest.raises(ValueError, match="goes nowhere"):
        join({"a": None}, [Bin(["b"], 1)], [b"x"])
    assert join({"a": [None]}, [Bin(["a", 0], 1)], [b"x"]) == {"a": [b"x"]}


# ------------------------------------------------------------------ frames


def test_a_binary_event_is_encoded_once_numbered_without_a_copy_and_read_back_from_the_wire():
    png = b"\x89PNG"
    big = bytearray(CHUNK + 5)
    body = encode_body("app:img", {"png": png, "big": big, "n": 1})
    assert isinstance(body, BinaryBody)
    assert body.pieces[0] is png  # a small bytes value is used as it is
    assert [len(p) for p in body.pieces] == [4, CHUNK, 5]
    frame = sequenced(7, body)
    assert isinstance(frame, BinaryFrame)
    assert frame.pieces is body.pieces  # every page is sent the same pieces
    head = json.loads(frame.head)
    assert (head["seq"], head["type"], head["data"]) == (
        7,
        "app:img",
        {"png": None, "big": None, "n": 1},
    )
    assert head["bins"] == [{"path": ["png"], "len": 4}, {"path": ["big"], "len": CHUNK + 5}]
    assert len(frame) == len(body) == len(body.head) + CHUNK + 9
    # As a shared bus carries it (one bytes), then numbered on another worker: the same.
    wire = bytes(body)
    again = sequenced(7, wire)
    assert isinstance(again, BinaryFrame)
    assert (again.head, again.pieces) == (frame.head, frame.pieces)
    plain = sequenced(8, encode_body("app:n", 1))
    message = binary_message([plain, frame])
    assert isinstance(message, Outgoing)
    assert [f["seq"] for f in json.loads(message.text)["events"]] == [8, 7]
    assert message.pieces == list(body.pieces)


# ------------------------------------------------------------------ inbound


def _page(conn: RecordingConnection) -> PageSession:
    channel = WidgetChannel(Widget(label="w", html=""), max_frames=10, max_bytes=1000)
    return PageSession(
        session=Session(label="w", page_id="tab-1"),
        channel=channel,
        conn=conn,
        cursor=0,
        batch_bytes=1000,
        max_rate=100,
    )


def _frame(seq: int, data: object, bins: list[dict[str, object]]) -> str:
    return json.dumps({"type": "app:file", "data": data, "seq": seq, "bins": bins})


def test_inbound_hands_over_a_frame_once_its_pieces_are_in_and_refuses_strays():
    heard: list[Event] = []
    conn = RecordingConnection()

    async def scene() -> None:
        inbound = Inbound(
            ledger=MemoryInboundLedger(), dispatch=heard.append, answered=lambda p, d: None
        )
        page = _page(conn)
        page.start()
        await inbound.receive(page, b"stray")  # no frame announced it
        await inbound.receive(page, _frame(1, {"f": None}, [{"path": ["f"], "len": 5}]))
        await inbound.receive(page, b"ab")
        assert heard == []  # not whole yet
        await inbound.receive(page, b"cde")
        await inbound.receive(page, _frame(2, {"f": None}, [{"path": ["g"], "len": 1}]))
        await inbound.receive(page, b"x")  # its path goes nowhere: refused, in band
        await inbound.receive(page, _frame(3, None, [{"path": [], "len": 2}]))
        await inbound.receive(page, "{}")  # text before the announced pieces: refused
        for _ in range(100):  # let the page's sender hand the three reports over
            if len(conn.data("pywry:error")) == 4:
                break
            await asyncio.sleep(0)
        page.stop()

    run_async(scene())
    assert heard == [Event("app:file", {"f": b"abcde"}, "w", "tab-1", None)]
    errors = [d["message"] for d in conn.data("pywry:error")]
    assert len(errors) == 4
    assert "no frame announced" in errors[0]
    assert "goes nowhere" in errors[1]
    assert "text message came before" in errors[2]
    assert "event name must be a string" in errors[3]  # then "{}" is read as a frame


def test_a_page_that_announces_more_than_the_limit_is_closed_before_it_is_read():
    conn = RecordingConnection()

    async def scene() -> None:
        inbound = Inbound(
            ledger=MemoryInboundLedger(),
            dispatch=lambda e: None,
            answered=lambda p, d: None,
            max_message=1024,
        )
        page = _page(conn)
        page.start()
        await inbound.receive(page, _frame(1, None, [{"path": [], "len": 2000}]))

    run_async(scene())
    assert conn.close_code == 1009
    assert "limited to 1024 bytes" in conn.data("pywry:error")[0]["message"]


# ------------------------------------------------------------------ the fake page


def test_the_fake_page_sends_and_receives_binary_values_as_a_page_does(pywry_app_factory):
    app = pywry_app_factory(fake_settings(max_message_size=8 * CHUNK))
    got: list[object] = []
    handle = app.show("<p/>", label="w", callbacks={"app:file": got.append})
    page = FakePage(app, "w").connect()
    big = bytes(range(256)) * (3 * CHUNK // 256)
    page.emit("app:file", {"name": "a", "bytes": big}, wait=True)
    assert got == [{"name": "a", "bytes": big}]
    handle.emit("app:echo", [b"", bytearray(b"x")])
    assert page.wait_for("app:echo") == [b"", b"x"]
    with pytest.raises(InvalidArgumentError, match="too big"):
        page.emit("app:file", b"x" * (8 * CHUNK))
    page.close()
