# From deeleeramone/PyWry pywry/docs/docs/getting-started/quickstart.md, "1. Hello World"
# (app.block() left out).
from pywry import PyWry

app = PyWry()

app.show("Hello World!")
