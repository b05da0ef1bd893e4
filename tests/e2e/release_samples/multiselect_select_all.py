# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/multiselect.md,
# "Select All Pattern".
from pywry import MultiSelect, Option, PyWry, Toolbar

app = PyWry()
options = [
    Option(label="All", value="all"),
    Option(label="Technology", value="tech"),
    Option(label="Finance", value="finance"),
    Option(label="Healthcare", value="health"),
]


def on_multi_change(data, event_type, label):
    selected = data.get("values", [])
    if "all" in selected:
        # "All" is selected - select everything
        all_values = [opt.value for opt in options if opt.value != "all"]
        app.emit(
            "toolbar:set-value", {"componentId": "category-select", "value": all_values}, label
        )
    elif not selected:
        # Nothing selected
        app.emit("pywry:alert", {"message": "No categories selected", "type": "info"}, label)


app.show(
    "<h1>Category Filter</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                MultiSelect(
                    component_id="category-select",
                    label="Categories",
                    event="filter:categories",
                    options=options,
                )
            ],
        )
    ],
    callbacks={"filter:categories": on_multi_change},
)
