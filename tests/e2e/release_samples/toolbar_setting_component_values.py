# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/index.md,
# "State Management" > "Setting Component Values".
from pywry import Button, NumberInput, PyWry, Select, Toggle, Toolbar

app = PyWry()


def on_reset(data, event_type, label):
    # Set a single component's value
    app.emit("toolbar:set-value", {"componentId": "theme-select", "value": "light"}, label)

    # Set multiple components at once
    app.emit(
        "toolbar:set-values",
        {
            "values": {
                "theme-select": "light",
                "zoom-input": 100,
                "dark-toggle": False,
            }
        },
        label,
    )


def on_theme_change(data, event_type, label):
    # Disable a button while processing
    app.emit(
        "toolbar:set-value",
        {
            "componentId": "submit-btn",
            "label": "Applying...",
            "disabled": True,
        },
        label,
    )

    # Re-enable when done
    app.emit(
        "toolbar:set-value",
        {
            "componentId": "submit-btn",
            "label": "Apply",
            "disabled": False,
        },
        label,
    )


app.show(
    "<h1>Settings</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                Select(
                    event="app:theme",
                    component_id="theme-select",
                    options=[
                        {"label": "Light", "value": "light"},
                        {"label": "Dark", "value": "dark"},
                    ],
                    selected="dark",
                ),
                NumberInput(
                    event="app:zoom", component_id="zoom-input", value=150, min=50, max=200
                ),
                Toggle(event="app:dark", component_id="dark-toggle", value=True),
                Button(label="Reset", event="app:reset"),
            ],
        )
    ],
    callbacks={"app:reset": on_reset, "app:theme": on_theme_change},
)
