# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/secretinput.md,
# "Common Patterns > Token Display".
import secrets

from pywry import Button, PyWry, SecretInput, Toolbar

app = PyWry()


def on_generate_token(data, event_type, label):
    token = secrets.token_urlsafe(32)
    app.emit("toolbar:set-value", {"componentId": "token-display", "value": token}, label)
    app.emit("pywry:alert", {"message": "New token generated!", "type": "success"}, label)


app.show(
    "<h1>Token Generator</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                SecretInput(
                    component_id="token-display",
                    label="Token",
                    event="token:value",
                ),
                Button(label="Generate New", event="token:generate"),
            ],
        )
    ],
    callbacks={"token:generate": on_generate_token},
)
