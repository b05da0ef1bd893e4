# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/textinput.md,
# "Validation Pattern".
from pywry import Button, PyWry, TextInput, Toolbar

app = PyWry()


def on_email_change(data, event_type, label):
    email = data["value"]
    is_valid = "@" in email and "." in email
    if not is_valid and email:  # Don't warn on empty
        app.emit("pywry:alert", {"message": "Please enter a valid email", "type": "warning"}, label)


def on_submit(data, event_type, label):
    app.emit("pywry:alert", {"message": "Form submitted!", "type": "success"}, label)


app.show(
    "<h1>Contact Form</h1>",
    toolbars=[
        Toolbar(
            position="top",
            items=[
                TextInput(label="Email", event="form:email", placeholder="user@example.com"),
                Button(label="Submit", event="form:submit", variant="primary"),
            ],
        )
    ],
    callbacks={"form:email": on_email_change, "form:submit": on_submit},
)
