# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/rangeinput.md,
# "Common Patterns > Data Filtering".
from pywry import PyWry, RangeInput, Toolbar

app = PyWry()


def on_range_filter(data, event_type, label):
    start = data["start"]
    end = data["end"]
    # Update display with selected range
    app.emit(
        "pywry:set-content",
        {"selector": "#filter-info", "html": f"Filtering values between {start} and {end}"},
        label,
    )


app.show(
    "<h1>Data Filter</h1><div id='filter-info'>Select a range</div>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                RangeInput(
                    label="Value Range",
                    event="data:range",
                    min=0,
                    max=100,
                    start=25,
                    end=75,
                )
            ],
        )
    ],
    callbacks={"data:range": on_range_filter},
)
