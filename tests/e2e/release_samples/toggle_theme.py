# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/toggle.md,
# "Theme Toggle".
from pywry import PyWry, Toggle, Toolbar

app = PyWry()


def on_theme_toggle(data, event_type, label):
    is_dark = data["value"]
    theme = "dark" if is_dark else "light"
    app.emit("pywry:update-theme", {"theme": theme}, label)
    app.emit("pywry:alert", {"message": f"Theme changed to {theme}", "type": "info"}, label)


app.show(
    "<h1>Theme Demo</h1><p>Toggle to switch themes.</p>",
    toolbars=[
        Toolbar(
            position="top", items=[Toggle(label="🌙 Dark Mode", event="theme:toggle", value=True)]
        )
    ],
    callbacks={"theme:toggle": on_theme_toggle},
)
