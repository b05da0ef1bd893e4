# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/numberinput.md,
# "Common Patterns > Calculated Fields".
from pywry import Div, NumberInput, PyWry, Toolbar

app = PyWry()
current_dimensions = {"width": 10, "height": 10}


def update_area(label):
    area = current_dimensions["width"] * current_dimensions["height"]
    app.emit(
        "pywry:set-content", {"selector": "#area-display", "html": f"Area: {area} sq units"}, label
    )


def on_width_change(data, event_type, label):
    current_dimensions["width"] = data["value"]
    update_area(label)


def on_height_change(data, event_type, label):
    current_dimensions["height"] = data["value"]
    update_area(label)


app.show(
    "<h1>Area Calculator</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                NumberInput(
                    component_id="width-input", label="Width", event="calc:width", value=10, min=1
                ),
                NumberInput(
                    component_id="height-input",
                    label="Height",
                    event="calc:height",
                    value=10,
                    min=1,
                ),
                Div(component_id="area-display", content="Area: 100 sq units"),
            ],
        )
    ],
    callbacks={"calc:width": on_width_change, "calc:height": on_height_change},
)
