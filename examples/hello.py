"""The smallest pywry script: one widget in the browser, until its tab is closed."""

from pywry import PyWry, WindowMode

app = PyWry(mode=WindowMode.BROWSER)
handle = app.show("<h1>Hello Browser!</h1>")
print(handle.url, flush=True)
app.block()  # Keeps the server running
