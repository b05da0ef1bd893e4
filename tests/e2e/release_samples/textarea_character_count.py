# From deeleeramone/PyWry pywry/docs/docs/components/toolbar/textarea.md,
# "Character Count".
from pywry import Button, Div, PyWry, TextArea, Toolbar

app = PyWry()
max_chars = 500


def on_text_change(data, event_type, label):
    text = data.get("value", "")
    char_count = len(text)
    color = "red" if char_count > max_chars else "inherit"
    app.emit(
        "pywry:set-content",
        {
            "selector": "#char-count",
            "html": f'<span style="color:{color}">{char_count}/{max_chars}</span>',
        },
        label,
    )


def on_submit(data, event_type, label):
    app.emit("pywry:alert", {"message": "Message submitted!", "type": "success"}, label)


app.show(
    "<h1>Feedback Form</h1>",
    toolbars=[
        Toolbar(
            position="bottom",
            items=[
                TextArea(label="Message", event="msg:content", rows=4),
                Div(component_id="char-count", content="0/500"),
                Button(label="Submit", event="msg:submit", variant="primary"),
            ],
        )
    ],
    callbacks={"msg:content": on_text_change, "msg:submit": on_submit},
)
