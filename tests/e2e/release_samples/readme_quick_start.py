# From deeleeramone/PyWry README.md, "Quick Start" (app.block() left out).
from pywry import PyWry

app = PyWry()
app.show("Hello World!")
