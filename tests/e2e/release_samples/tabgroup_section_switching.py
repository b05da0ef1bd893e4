# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/tabgroup.md,
# "Common Patterns > Section Switching".
from pywry import Option, PyWry, TabGroup, Toolbar

app = PyWry()


def on_section_change(data, event_type, label):
    active = data["value"]
    # Hide all sections, show active
    for section in ["charts", "data", "config"]:
        display = "block" if section == active else "none"
        app.emit(
            "pywry:set-style",
            {"selector": f"#section-{section}", "styles": {"display": display}},
            label,
        )


app.show(
    """
    <div id="section-charts">Charts content...</div>
    <div id="section-data" style="display:none">Data content...</div>
    <div id="section-config" style="display:none">Config content...</div>
    """,
    toolbars=[
        Toolbar(
            position="top",
            items=[
                TabGroup(
                    event="section:tab",
                    options=[
                        Option(label="📊 Charts", value="charts"),
                        Option(label="📝 Data", value="data"),
                        Option(label="⚙️ Config", value="config"),
                    ],
                    selected="charts",
                )
            ],
        )
    ],
    callbacks={"section:tab": on_section_change},
)
