# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/toolbaritem.md,
# "Component ID".
from pywry import Button, PyWry, Toolbar

app = PyWry()


def on_click(data, event_type, label):
    # Update the button dynamically
    app.emit(
        "toolbar:set-value",
        {
            "componentId": "my-button",
            "label": "Clicked!",
            "disabled": True,
        },
        label,
    )


app.show(
    "<h1>Demo</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                Button(
                    component_id="my-button",  # ID required for dynamic updates
                    label="Click Me",
                    event="action:click",
                )
            ],
        )
    ],
    callbacks={"action:click": on_click},
)
