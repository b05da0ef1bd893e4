"""A button round trip: the page emits ``app:click``, Python answers with ``app:response``.

    python examples/callbacks.py

It prints ``pywry callbacks: <url>``; open it (the system browser opens it for you when
there is a display), click the button, and watch Python's answer appear. Close the tab, or
press Ctrl+C, to stop.
"""

from pywry import PyWry, WindowMode

app = PyWry(mode=WindowMode.BROWSER)
clicks = 0


def on_click(data, event_type, label):
    global clicks
    clicks += 1
    print(f"{event_type} from {label}: click #{clicks}", flush=True)
    handle.emit("app:response", {"message": f"Button clicked! ({clicks})"})


handle = app.show(
    """
    <h1>Callbacks</h1>
    <button id="click" onclick="window.pywry.emit('app:click', {})">Click me</button>
    <p id="response">Python's answer appears here.</p>
    <script>
      window.pywry.on('app:response', function (data) {
        document.getElementById('response').textContent = data.message;
      });
    </script>
    """,
    title="pywry callbacks",
    callbacks={"app:click": on_click},
)
print(f"pywry callbacks: {handle.url}", flush=True)
app.block()
