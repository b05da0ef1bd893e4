# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/toggle.md,
# "Show/Hide UI Sections".
from pywry import PyWry, Toggle, Toolbar

app = PyWry()


def on_advanced_toggle(data, event_type, label):
    show_advanced = data["value"]
    app.emit(
        "pywry:set-style",
        {
            "selector": ".advanced-options",
            "styles": {"display": "block" if show_advanced else "none"},
        },
        label,
    )


app.show(
    """
    <h1>Settings</h1>
    <p>Basic options are always visible.</p>
    <div class="advanced-options" style="display:none">
        <p>Advanced options are hidden by default.</p>
    </div>
    """,
    toolbars=[
        Toolbar(
            position="top",
            items=[Toggle(label="Advanced Options", event="ui:advanced", value=False)],
        )
    ],
    callbacks={"ui:advanced": on_advanced_toggle},
)
