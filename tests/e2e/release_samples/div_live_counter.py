# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/div.md,
# "Common Patterns > Live Counter".
from pywry import Button, Div, PyWry, Toolbar

app = PyWry()
count = 0


def on_increment(data, event_type, label):
    global count
    count += 1
    app.emit("pywry:set-content", {"selector": "#counter", "html": f"Count: {count}"}, label)


app.show(
    "<h1>Counter Demo</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                Div(component_id="counter", content="Count: 0"),
                Button(label="+1", event="counter:increment"),
            ],
        )
    ],
    callbacks={"counter:increment": on_increment},
)
