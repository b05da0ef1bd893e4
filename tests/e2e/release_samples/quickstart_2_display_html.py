# From deeleeramone/PyWry pywry/docs/docs/getting-started/quickstart.md,
# "2. Display HTML Content" (app.block() left out).
from pywry import PyWry

app = PyWry()

html = """
<div style="padding: 20px; text-align: center;">
    <h1 id="greeting">Welcome to PyWry</h1>
    <p>This is rendered HTML with styling.</p>
    <button onclick="document.getElementById('greeting').textContent = 'You clicked the button!'">
        Click me!
    </button>
</div>
"""

app.show(html, title="My First Window", width=600, height=400)
