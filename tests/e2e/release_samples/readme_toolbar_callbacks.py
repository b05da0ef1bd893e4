# From deeleeramone/PyWry README.md, "Quick Start" > "Toolbar + callbacks" (app.block() left out).
from pywry import Button, PyWry, Toolbar

app = PyWry()


def on_click(data, event_type, label):
    app.emit("pywry:set-content", {"selector": "h1", "text": "Clicked!"}, label)


app.show(
    "<h1>Hello</h1>",
    toolbars=[Toolbar(position="top", items=[Button(label="Click me", event="app:click")])],
    callbacks={"app:click": on_click},
)
