"""The smallest pywry script: one widget in the browser, until its tab is closed.

    python examples/hello.py

The system browser opens the page; without a display (or with ``PYWRY_HEADLESS=1``) pywry
prints ``pywry: open <url> in your browser`` instead. Close the tab, or press Ctrl+C, to
stop.
"""

from pywry import PyWry, WindowMode

app = PyWry(mode=WindowMode.BROWSER)
handle = app.show("<h1>Hello Browser!</h1>")
print(handle.url, flush=True)
app.block()  # Keeps the server running
