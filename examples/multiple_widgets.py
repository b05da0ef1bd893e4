"""Two widgets, two URLs, one server."""

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
