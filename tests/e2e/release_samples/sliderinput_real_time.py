# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/sliderinput.md,
# "Common Patterns > Real-time Updates".
from pywry import PyWry, SliderInput, Toolbar

app = PyWry()


def on_zoom_change(data, event_type, label):
    zoom_level = data["value"]
    app.emit(
        "pywry:set-content", {"selector": "#zoom-display", "html": f"Zoom: {zoom_level}%"}, label
    )


app.show(
    "<h1>Zoom Demo</h1><div id='zoom-display'>Zoom: 100%</div>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                SliderInput(label="Zoom", event="chart:zoom", value=100, min=50, max=200, step=10)
            ],
        )
    ],
    callbacks={"chart:zoom": on_zoom_change},
)
