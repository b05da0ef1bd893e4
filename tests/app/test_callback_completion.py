"""The runner says when every callback of an event has finished: what deploy mode keeps a
copy of a running event for (run again elsewhere if its worker dies first)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from pywry.domain.events import Event


def dispatched(app: Any, event: Event) -> threading.Event:
    """Dispatch ``event`` on the app's loop; the returned flag is set when it is done."""
    done = threading.Event()
    runner = app.container.callback_runner()

    async def start() -> None:
        runner.dispatch(event, done.set)

    app.container.event_loop().run(start())
    return done


@pytest.mark.parametrize("placement", ["thread", "loop", "async"])
def test_done_comes_once_the_callback_of_each_kind_has_finished(pywry_app, placement):
    release = threading.Event()
    if placement == "async":

        async def callback(data: Any) -> None:
            await asyncio.to_thread(release.wait, 5)

    else:

        def callback(data: Any) -> None:
            if placement == "thread":
                release.wait(5)

    pywry_app.show("<p/>", label="w", callbacks={"app:go": callback},
                   sync_to_thread=placement != "loop")  # fmt: skip
    done = dispatched(pywry_app, Event("app:go", 1, "w", "tab", None))
    if placement != "loop":  # a sync callback on the loop has finished when dispatch returns
        assert not done.wait(0.1)
        release.set()
    assert done.wait(5)


def test_done_waits_for_every_listener_and_comes_at_once_when_none_listens(pywry_app):
    release = threading.Event()
    handle = pywry_app.show("<p/>", label="w")
    handle.on("app:go", lambda data: None)
    handle.on("app:go", lambda data: release.wait(5))
    done = dispatched(pywry_app, Event("app:go", 1, "w", "tab", None))
    assert not done.wait(0.1)
    release.set()
    assert done.wait(5)
    assert dispatched(pywry_app, Event("app:nobody", 1, "w", "tab", None)).wait(5)


def test_a_callback_that_raised_has_finished_too(pywry_app_factory):
    app = pywry_app_factory(callback_errors="log")
    app.show("<p/>", label="w", callbacks={"app:go": lambda data: 1 / 0})
    assert dispatched(app, Event("app:go", 1, "w", "tab", None)).wait(5)
