# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/button.md,
# "Handling Clicks".
from pywry import Button, PyWry, Toolbar


def on_save(data, event_type, label):
    """Handle save button click."""
    # data contains {"componentId": "..."} plus any custom data keys
    # Perform your save operation here
    app.emit("pywry:alert", {"message": "Saved!", "type": "success"}, label)


app = PyWry()
app.show(
    "<h1>Document</h1>",
    toolbars=[Toolbar(position="top", items=[Button(label="Save", event="file:save")])],
    callbacks={"file:save": on_save},
)
