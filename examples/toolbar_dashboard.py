"""A dashboard driven by a toolbar and a settings modal, written as for the PyWry release.

    python examples/toolbar_dashboard.py

Each control sends its event with the release's payload; Python answers by changing the
page (``handle.emit``) and the controls (``set_toolbar_value``). Close the tab, or press
Ctrl+C, to stop.
"""

from pywry import (
    Button,
    Modal,
    Option,
    PyWry,
    Select,
    SliderInput,
    TextInput,
    Toggle,
    Toolbar,
    WindowMode,
)

app = PyWry(mode=WindowMode.BROWSER)
state = {"metric": "revenue", "scale": 50, "title": "Sales"}


def redraw():
    text = f"{state['title']}: {state['metric']} at {state['scale']}%"
    handle.emit("pywry:set-content", {"id": "summary", "text": text})


def on_metric(data):  # {"value": "profit", "componentId": "metric"}
    state["metric"] = data["value"]
    redraw()


def on_scale(data):  # {"value": 75, "componentId": "scale"}
    state["scale"] = data["value"]
    redraw()


def on_reset(data):  # {"componentId": "reset", "to": 50}
    state["scale"] = data["to"]
    handle.set_toolbar_values({"scale": data["to"], "metric": "revenue"})
    state["metric"] = "revenue"
    redraw()


def on_title(data):  # {"value": "Q3", "componentId": "title"}
    state["title"] = data["value"] or "Sales"
    redraw()


def on_dark(data):  # {"value": False, "componentId": "dark"}
    handle.set_theme("dark" if data["value"] else "light")


def on_settings_closed(data):  # {"modalId": "settings"}
    print(f"settings closed; title is {state['title']!r}", flush=True)


toolbar = Toolbar(
    position="top",
    items=[
        Select(
            component_id="metric",
            label="Metric",
            event="dash:metric",
            options=[
                Option(label="Revenue", value="revenue"),
                Option(label="Profit", value="profit"),
            ],
            selected="revenue",
        ),
        SliderInput(component_id="scale", label="Scale", event="dash:scale", value=50),
        Button(component_id="reset", label="Reset", event="dash:reset", data={"to": 50}),
        Toggle(component_id="dark", label="Dark", event="dash:dark", value=True),
        Button(component_id="open-settings", label="Settings", event="modal:open:settings"),
    ],
)
settings = Modal(
    component_id="settings",
    title="Settings",
    on_close_event="dash:settings-closed",
    reset_on_close=False,
    items=[TextInput(component_id="title", label="Title", event="dash:title", debounce=200)],
)

handle = app.show(
    '<h1>Dashboard</h1><p id="summary">Sales: revenue at 50%</p>',
    title="Toolbar dashboard",
    toolbars=[toolbar],
    modals=[settings],
    callbacks={
        "dash:metric": on_metric,
        "dash:scale": on_scale,
        "dash:reset": on_reset,
        "dash:title": on_title,
        "dash:dark": on_dark,
        "dash:settings-closed": on_settings_closed,
    },
)
print(f"pywry dashboard: {handle.url}", flush=True)
app.block()
