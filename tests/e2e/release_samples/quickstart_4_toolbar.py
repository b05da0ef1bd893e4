# From deeleeramone/PyWry pywry/docs/docs/getting-started/quickstart.md,
# "4. Use Toolbar Components" (app.block() left out).
from pywry import Button, PyWry, Toolbar

app = PyWry()


def on_click(data, event_type, label):
    """Update the heading when button is clicked."""
    app.emit("pywry:set-content", {"selector": "h1", "text": "Toolbar Works!"}, label)


toolbar = Toolbar(
    position="top",
    items=[
        Button(label="Update Text", event="app:click"),
        Button(label="Show Alert", event="app:alert", variant="secondary"),
    ],
)


def on_alert(data, event_type, label):
    """Show a toast notification."""
    app.emit("pywry:alert", {"message": "Hello from Python!"}, label)


app.show(
    "<h1>Hello, World!</h1>",
    toolbars=[toolbar],
    callbacks={
        "app:click": on_click,
        "app:alert": on_alert,
    },
)
