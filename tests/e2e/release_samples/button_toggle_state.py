# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/button.md,
# "Common Patterns > Toggle State Buttons".
from pywry import Button, PyWry, Toolbar

app = PyWry()
current_state = {"playing": False}


def on_toggle(data, event_type, label):
    is_playing = not current_state["playing"]
    current_state["playing"] = is_playing
    # Update button label dynamically
    app.emit(
        "toolbar:set-value",
        {"componentId": "play-btn", "label": "⏸️ Pause" if is_playing else "▶️ Play"},
        label,
    )


app.show(
    "<h1>Media Player</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                Button(
                    component_id="play-btn",  # Required for dynamic updates
                    label="▶️ Play",
                    event="media:toggle",
                )
            ],
        )
    ],
    callbacks={"media:toggle": on_toggle},
)
