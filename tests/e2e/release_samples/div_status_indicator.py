# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/div.md,
# "Common Patterns > Status Indicator".
from pywry import Button, Div, PyWry, Toolbar

app = PyWry()


def set_status(status: str, label: str):
    icons = {"connected": "●", "disconnected": "○", "error": "⚠"}
    colors = {"connected": "green", "disconnected": "gray", "error": "red"}
    app.emit(
        "pywry:set-content",
        {
            "selector": "#status",
            "html": f'<span style="color:{colors[status]}">{icons[status]}</span> {status.title()}',
        },
        label,
    )


def on_connect(data, event_type, label):
    set_status("connected", label)


def on_disconnect(data, event_type, label):
    set_status("disconnected", label)


app.show(
    "<h1>Connection Manager</h1>",
    toolbars=[
        Toolbar(
            position="footer",
            items=[
                Div(component_id="status", content="○ Disconnected"),
            ],
        ),
        Toolbar(
            position="top",
            items=[
                Button(label="Connect", event="conn:connect"),
                Button(label="Disconnect", event="conn:disconnect"),
            ],
        ),
    ],
    callbacks={"conn:connect": on_connect, "conn:disconnect": on_disconnect},
)
