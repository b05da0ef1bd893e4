# From deeleeramone/PyWry pywry/docs/docs/components/modal/index.md, "Creating a Modal"
# (the sample leaves `on_save` to the reader; the test supplies it).
from pywry import Button, Modal, Option, PyWry, Select, TextInput

app = PyWry()

modal = Modal(
    component_id="settings-modal",
    title="Settings",
    items=[
        Select(
            label="Language",
            event="settings:language",
            options=[Option(label="Python"), Option(label="JavaScript"), Option(label="Rust")],
            selected="Python",
        ),
        TextInput(label="API Key", event="settings:api-key", placeholder="Enter key..."),
        Button(label="Save", event="settings:save", variant="primary"),
        Button(label="Cancel", event="settings:cancel", variant="ghost"),
    ],
)

app.show(
    "<h1>Dashboard</h1>",
    modals=[modal],
    callbacks={
        "settings:save": on_save,
        "settings:cancel": lambda d, e, l: app.emit("modal:close:settings-modal", {}, l),
    },
)
