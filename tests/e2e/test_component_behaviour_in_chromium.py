"""Components' behaviour in headless Chromium: modals that reset, toolbars that collapse and
report their size, the scripts of Divs, toolbars and modals, and SecretInputs."""

from __future__ import annotations

import pytest

from pywry import Button, Div, InvalidArgumentError, Modal, SecretInput, TextInput, Toolbar
from recorder import Recorder
from tabs import open_widget

pytestmark = pytest.mark.e2e


def test_a_modal_resets_its_inputs_when_closed_unless_told_not_to(make_app, page):
    keep = Modal(component_id="keep", reset_on_close=False, items=[TextInput(component_id="k")])
    reset = Modal(component_id="reset", items=[TextInput(component_id="r", value="start")])
    handle = make_app().show("<p>x</p>", modals=[keep, reset])
    open_widget(page, handle.url)
    for name in ("keep", "reset"):
        handle.emit(f"modal:open:{name}")
        page.locator(f"#{name} .pywry-modal").wait_for(state="visible")
        page.fill(f"#{name} input", "typed")
        handle.emit(f"modal:close:{name}")
        page.locator(f"#{name} .pywry-modal").wait_for(state="hidden")
    assert page.locator("#k").input_value() == "typed"
    assert page.locator("#r").input_value() == "start"


def test_a_toolbar_collapses_expands_and_reports_a_resize(make_app, page):
    record = Recorder()
    bar = Toolbar(
        component_id="side",
        position="left",
        collapsible=True,
        resizable=True,
        items=[Button(component_id="go", label="Go", event="app:go")],
    )
    callbacks = {
        name: (lambda data, name=name: record((name, data)))
        for name in ("toolbar:collapse", "toolbar:expand", "toolbar:resize")
    }
    handle = make_app().show("<p>x</p>", callbacks=callbacks, toolbars=[bar])
    open_widget(page, handle.url)
    page.click("#side .pywry-toolbar-toggle")
    page.locator("#go").wait_for(state="hidden")
    page.click("#side .pywry-toolbar-toggle")
    page.locator("#go").wait_for(state="visible")
    page.evaluate("() => { document.getElementById('side').style.width = '300px'; }")
    wide = page.evaluate("() => document.getElementById('side').offsetWidth")
    got: list = []
    while not any(n == "toolbar:resize" and d["width"] == wide for n, d in got):
        got = record.wait_for(len(got) + 1)
    assert [item for item in got if item[0] != "toolbar:resize"] == [
        ("toolbar:collapse", {"componentId": "side", "collapsed": True}),
        ("toolbar:expand", {"componentId": "side", "collapsed": False}),
    ]
    assert got[-1][1] == {
        "componentId": "side",
        "position": "left",
        "width": wide,
        "height": got[-1][1]["height"],
    }


def test_scripts_of_divs_toolbars_and_modals_run_inline_or_from_a_file(make_app, page, tmp_path):
    js = tmp_path / "bar.js"
    js.write_text("window.ran = (window.ran || []).concat(['toolbar file']);")
    div = Div(
        component_id="d",
        content="<span id=s></span>",
        script="window.ran = (window.ran || []).concat(['div']); // </script> stays inside",
    )
    handle = make_app().show(
        "<p>x</p>",
        toolbars=[Toolbar(items=[div], script=js)],
        modals=[Modal(component_id="m", script=str(js))],
    )
    open_widget(page, handle.url)
    assert page.evaluate("() => window.ran") == ["div", "toolbar file", "toolbar file"]


def test_a_script_file_that_is_not_there_is_an_error_naming_it(make_app, tmp_path):
    missing = tmp_path / "nope.js"
    with pytest.raises(InvalidArgumentError, match=r"Toolbar 't': script file .*nope\.js"):
        make_app().show("<p>x</p>", toolbars=[Toolbar(component_id="t", script=missing)])


def test_a_secret_stays_in_python_until_revealed_copied_or_edited(make_app, page):
    app = make_app()
    record = Recorder()
    secret = SecretInput(component_id="key", label="Key", event="app:key", value="sk-<1é>")
    handle = app.show(
        "<p>x</p>",
        toolbars=[Toolbar(items=[secret])],
        callbacks={"app:key": lambda data: record(dict(data))},
    )
    open_widget(page, handle.url)
    assert "sk-" not in page.content()  # the page holds a mask, not the secret
    key = page.locator("#key")
    assert key.get_attribute("type") == "password"
    assert key.input_value() == "\u2022" * 12
    page.click(".pywry-secret-toggle")
    page.wait_for_function("() => document.getElementById('key').type === 'text'")
    assert key.input_value() == "sk-<1é>"
    page.click(".pywry-secret-toggle")  # hidden again: the mask is back
    assert key.get_attribute("type") == "password"
    assert key.input_value() == "\u2022" * 12
    copied = page.evaluate(
        """() => new Promise((done) => {
            navigator.clipboard.writeText = (text) => { done(text); return Promise.resolve(); };
            document.querySelector('.pywry-secret-copy').click();
        })"""
    )
    assert copied == "sk-<1é>"
    page.click(".pywry-secret-edit")
    page.locator(".pywry-secret-textarea").fill("new-κ")
    page.keyboard.press("Control+Enter")
    # The release's edit payload: the value base64 encoded.
    assert record.wait_for(1) == [{"value": "bmV3Lc66", "encoded": True, "componentId": "key"}]
    page.click(".pywry-secret-toggle")
    page.wait_for_function("() => document.getElementById('key').type === 'text'")
    assert key.input_value() == "new-κ"
    assert page.js_errors == []


def test_a_secret_handler_answers_reveal_and_keeps_edits(make_app, page):
    kept = {"v": "from-vault"}

    def vault(value, *, component_id, event, label):
        if value is None:
            return kept["v"]
        kept["v"] = value
        return value

    secret = SecretInput(component_id="s", event="app:s", handler=vault, value_exists=True)
    handle = make_app().show("<p>x</p>", toolbars=[Toolbar(items=[secret])])
    open_widget(page, handle.url)
    assert "from-vault" not in page.content()
    page.click(".pywry-secret-edit")
    page.locator(".pywry-secret-textarea").fill("typed")
    page.locator(".pywry-secret-textarea").blur()
    page.click(".pywry-secret-toggle")
    page.wait_for_function("() => document.getElementById('s').type === 'text'")
    assert page.locator("#s").input_value() == "typed"
    assert kept["v"] == "typed"
