# From deeleeramone/PyWry pywry/docs/docs/getting-started/quickstart.md,
# "3. Handle Events with Callbacks" (app.block() left out).
from pywry import PyWry

app = PyWry()


def on_button_click(data, event_type, label):
    """Called when the button is clicked."""
    app.emit("pywry:set-content", {"id": "greeting", "text": "Button was clicked!"}, label)


html = """
<div style="padding: 20px; text-align: center;">
    <h1 id="greeting">Click the button below</h1>
    <button onclick="window.pywry.emit('app:button-click', {time: Date.now()})">
        Click me!
    </button>
</div>
"""

app.show(
    html,
    callbacks={"app:button-click": on_button_click},
)
