# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/checkbox.md,
# "Common Patterns > Select All Pattern".
from pywry import Checkbox, PyWry, Toolbar

app = PyWry()
items = [{"id": 1, "name": "Item A"}, {"id": 2, "name": "Item B"}, {"id": 3, "name": "Item C"}]


def on_select_all(data, event_type, label):
    select_all = data["value"]
    # Update all child checkboxes
    for item in items:
        app.emit(
            "toolbar:set-value", {"componentId": f"item-{item['id']}", "value": select_all}, label
        )


def on_item_select(data, event_type, label):
    app.emit(
        "pywry:alert", {"message": f"Item selected: {data.get('value')}", "type": "info"}, label
    )


app.show(
    "<h1>Select Items</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                Checkbox(label="Select All", event="items:select_all"),
                *[
                    Checkbox(
                        component_id=f"item-{item['id']}", label=item["name"], event="item:select"
                    )
                    for item in items
                ],
            ],
        )
    ],
    callbacks={
        "items:select_all": on_select_all,
        "item:select": on_item_select,
    },
)
