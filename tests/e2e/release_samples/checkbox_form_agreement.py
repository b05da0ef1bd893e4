# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/checkbox.md,
# "Common Patterns > Form Agreement".
from pywry import Button, Checkbox, PyWry, Toolbar

app = PyWry()


def on_agree_change(data, event_type, label):
    agreed = data["value"]
    # Enable/disable submit button based on agreement
    app.emit("toolbar:set-value", {"componentId": "submit-btn", "disabled": not agreed}, label)


def on_submit(data, event_type, label):
    app.emit("pywry:alert", {"message": "Form submitted!", "type": "success"}, label)


app.show(
    "<h1>Sign Up</h1><p>Please agree to continue.</p>",
    toolbars=[
        Toolbar(
            position="bottom",
            items=[
                Checkbox(label="I agree to the terms and conditions", event="form:agree"),
                Button(
                    component_id="submit-btn",
                    label="Submit",
                    event="form:submit",
                    variant="primary",
                    disabled=True,  # Initially disabled
                ),
            ],
        )
    ],
    callbacks={
        "form:agree": on_agree_change,
        "form:submit": on_submit,
    },
)
