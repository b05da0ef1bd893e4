# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/searchinput.md,
# "Common Patterns > Search with Results Count".
from pywry import Div, PyWry, SearchInput, Toolbar

app = PyWry()


def on_search(data, event_type, label):
    query = data["value"]
    # Update results count display
    app.emit(
        "pywry:set-content",
        {
            "selector": "#result-count",
            "html": f"Searching for: {query}" if query else "Enter search term",
        },
        label,
    )


app.show(
    "<h1>Search Demo</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                SearchInput(label="Search", event="data:search"),
                Div(component_id="result-count", content="Enter search term"),
            ],
        )
    ],
    callbacks={"data:search": on_search},
)
