"""What a page sends becomes events that say where they came from: inbound frames alone."""

from __future__ import annotations

import json

from conftest import run_async
from pywry.adapters.memory import MemoryInboundLedger
from pywry.app.channels import WidgetChannel
from pywry.app.inbound import Inbound
from pywry.app.pages import PageSession
from pywry.domain.events import Event
from pywry.domain.session import Session
from pywry.domain.widget import Widget
from pywry.testing import RecordingConnection


def test_an_event_carries_its_page_and_the_correlation_id_the_page_gave():
    heard: list[Event] = []

    async def scene() -> None:
        inbound = Inbound(
            ledger=MemoryInboundLedger(), dispatch=heard.append, answered=lambda page, data: None
        )
        channel = WidgetChannel(Widget(label="w", html=""), max_frames=10, max_bytes=1000)
        page = PageSession(
            session=Session(label="w", page_id="tab-1"),
            channel=channel,
            conn=RecordingConnection(),
            cursor=0,
            batch_bytes=1000,
            max_rate=100,
        )
        frames = [
            {"type": "app:sum", "data": [1, 2], "seq": 1, "id": "call-7"},
            {"type": "app:click", "data": None, "seq": 2},
            {"type": "app:sum", "data": [1, 2], "seq": 1, "id": "call-7"},  # resent: once
        ]
        await inbound.receive(page, json.dumps({"events": frames}))
        page.stop()

    run_async(scene())
    assert heard == [
        Event("app:sum", [1, 2], "w", "tab-1", "call-7"),
        Event("app:click", None, "w", "tab-1", None),
    ]
