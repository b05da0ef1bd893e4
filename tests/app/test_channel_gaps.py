"""A widget's channel that sees a gap in its events never leaves a page silently behind."""

from __future__ import annotations

from conftest import run_async
from pywry.app.channels import WidgetChannel
from pywry.app.frames import encode_body
from pywry.app.pages import PageSession
from pywry.domain.protocol import Close
from pywry.domain.session import Session
from pywry.domain.widget import Widget
from pywry.testing import RecordingConnection


def open_page(channel: WidgetChannel, conn: RecordingConnection) -> PageSession:
    page = PageSession(
        session=Session(label="w", page_id="tab"),
        channel=channel,
        conn=conn,
        cursor=channel.stream.head,
        batch_bytes=1000,
        max_rate=100,
    )
    channel.pages.add(page)
    page.start(None)
    return page


def test_a_page_open_when_events_were_lost_is_told_to_reload():
    conn = RecordingConnection()

    async def scene() -> None:
        channel = WidgetChannel(Widget(label="w", html=""), max_frames=10, max_bytes=10_000)
        page = open_page(channel, conn)
        channel.deliver(1, [encode_body("app:n", 1), encode_body("app:n", 2)])
        channel.deliver(10, [encode_body("app:n", 10)])  # 3 to 9 never came
        page.stop()

    run_async(scene())
    assert conn.close_code == Close.RESYNC


def test_a_page_that_came_while_its_channel_was_empty_reloads_when_the_past_arrives():
    # A worker that opens a widget with a past: a page may attach before the past is read.
    conn = RecordingConnection()

    async def scene() -> None:
        channel = WidgetChannel(Widget(label="w", html=""), max_frames=10, max_bytes=10_000)
        page = open_page(channel, conn)
        channel.deliver(500, [encode_body("app:n", 500)])
        page.stop()

    run_async(scene())
    assert conn.close_code == Close.RESYNC
