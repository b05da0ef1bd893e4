# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/index.md, "Creating a Toolbar".
from pywry import Button, Option, PyWry, Select, Toolbar

app = PyWry()


def on_save(data, event_type, label):
    app.emit("pywry:alert", {"message": "Saved!", "type": "success"}, label)


toolbar = Toolbar(
    position="top",
    items=[
        Button(label="Save", event="app:save"),
        Select(
            label="Theme",
            event="app:theme",
            options=[Option(label="Light", value="light"), Option(label="Dark", value="dark")],
            selected="dark",
        ),
    ],
)


def on_theme(data, event_type, label):
    app.emit("pywry:update-theme", {"theme": data["value"]}, label)


app.show(
    "<h1>Hello</h1>", toolbars=[toolbar], callbacks={"app:save": on_save, "app:theme": on_theme}
)
