"""Two widgets, two URLs, one server.

    python examples/multiple_widgets.py

Each ``show()`` with a ``label`` is a widget of its own at ``/widget/<label>``, served by
the one server of the app; both URLs are printed (and opened when there is a display). The
script ends once both tabs are closed, or on Ctrl+C.
"""

from pywry import PyWry, WindowMode

app = PyWry(mode=WindowMode.BROWSER)
h1 = app.show("<h1>Chart</h1>", label="chart")
h2 = app.show("<h1>Table</h1>", label="table")
# Two browser tabs open:
# http://127.0.0.1:8765/widget/chart
# http://127.0.0.1:8765/widget/table
print(h1.url, flush=True)  # Full URL for the chart widget
print(h2.url, flush=True)  # Full URL for the table widget
app.block()
