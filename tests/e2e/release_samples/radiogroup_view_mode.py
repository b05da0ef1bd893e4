# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/radiogroup.md,
# "Common Patterns > View Mode Selector".
from pywry import Option, PyWry, RadioGroup, Toolbar

app = PyWry()


def on_view_change(data, event_type, label):
    mode = data["value"]
    # Show/hide different content sections
    for view in ["grid", "list", "chart"]:
        display = "block" if view == mode else "none"
        app.emit(
            "pywry:set-style", {"selector": f".view-{view}", "styles": {"display": display}}, label
        )


app.show(
    """
    <div class="view-grid">Grid View Content</div>
    <div class="view-list" style="display:none">List View Content</div>
    <div class="view-chart" style="display:none">Chart View Content</div>
    """,
    toolbars=[
        Toolbar(
            position="top",
            items=[
                RadioGroup(
                    label="View",
                    event="ui:view",
                    options=[
                        Option(label="📊 Grid", value="grid"),
                        Option(label="📋 List", value="list"),
                        Option(label="📈 Chart", value="chart"),
                    ],
                    selected="grid",
                )
            ],
        )
    ],
    callbacks={"ui:view": on_view_change},
)
