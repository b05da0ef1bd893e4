"""The toolbars and modal most component tests in Chromium use, shown on a page."""

from __future__ import annotations

from pywry import Button, Checkbox, Modal, NumberInput, Option, Select, TextInput, Toggle, Toolbar
from recorder import Recorder
from tabs import open_widget

__all__ = ["EVENTS", "MODAL", "show_toolbar_page", "toolbars"]

EVENTS = ("app:save", "app:theme", "app:dark", "app:agree", "app:name", "app:count", "app:zoom")


def toolbars() -> list[Toolbar]:
    return [
        Toolbar(
            component_id="main-bar",
            position="top",
            items=[
                Button(component_id="save", label="Save", event="app:save", data={"force": True}),
                Select(
                    component_id="theme",
                    label="Theme",
                    event="app:theme",
                    options=[Option(label="Dark", value="dark"), Option(label="Light")],
                    selected="dark",
                ),
                Toggle(component_id="dark", label="Dark", event="app:dark", value=True),
                Checkbox(component_id="agree", label="Agree", event="app:agree"),
                TextInput(component_id="name", label="Name", event="app:name", debounce=0),
                NumberInput(component_id="count", event="app:count", value=1, min=0, max=9),
            ],
        ),
        # The dict form, as the release accepts it.
        {
            "position": "left",
            "component_id": "side",
            "items": [
                {"type": "slider", "component_id": "zoom", "event": "app:zoom", "debounce": 0},
                {"type": "div", "component_id": "note", "content": "<b id=bold>note</b>"},
                {"type": "button", "label": "Settings", "event": "modal:open:settings"},
            ],
        },
    ]


MODAL = Modal(
    component_id="settings",
    title="Settings",
    on_close_event="app:settings-closed",
    items=[TextInput(component_id="user", label="User", event="app:user")],
)


def show_toolbar_page(make_app, page):
    """A widget with the toolbars and the modal above, open in ``page``: (handle, page,
    recorder of its events)."""
    app = make_app()
    record = Recorder()
    callbacks = {name: (lambda data, name=name: record((name, data))) for name in EVENTS}
    callbacks["app:settings-closed"] = lambda data: record(("closed", data))
    callbacks["toolbar:state-response"] = lambda data: record(("state", data))
    handle = app.show(
        "<p id=content>content</p>",
        label="c",
        callbacks=callbacks,
        toolbars=toolbars(),
        modals=[MODAL],
    )
    open_widget(page, handle.url)
    return handle, page, record
