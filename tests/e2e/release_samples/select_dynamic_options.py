# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/select.md,
# "Dynamic Options" (app.block() left out).
from pywry import Option, PyWry, Select, Toolbar

app = PyWry()

categories = {
    "fruits": ["Apple", "Banana", "Orange"],
    "vegetables": ["Carrot", "Broccoli", "Spinach"],
}


def on_category(data, event_type, label):
    items = categories.get(data["value"], [])
    app.emit(
        "toolbar:set-value",
        {
            "componentId": "item-select",
            "options": [{"label": i, "value": i.lower()} for i in items],
            "value": items[0].lower() if items else None,
        },
        label,
    )


def on_item(data, event_type, label):
    app.emit("pywry:alert", {"message": f"Selected: {data['value']}"}, label)


toolbar = Toolbar(
    position="top",
    items=[
        Select(
            label="Category",
            event="form:category",
            options=[
                Option(label="Fruits", value="fruits"),
                Option(label="Vegetables", value="vegetables"),
            ],
            selected="fruits",
        ),
        Select(
            component_id="item-select",
            label="Item",
            event="form:item",
            options=[
                Option(label="Apple", value="apple"),
                Option(label="Banana", value="banana"),
                Option(label="Orange", value="orange"),
            ],
            selected="apple",
        ),
    ],
)

app.show(
    "<h1>Selection</h1>",
    toolbars=[toolbar],
    callbacks={"form:category": on_category, "form:item": on_item},
)
