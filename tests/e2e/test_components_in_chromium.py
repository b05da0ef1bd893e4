"""Toolbars and modals in headless Chromium: each item renders, sends the release's payload
when used, follows set_toolbar_value, answers state requests; modals open and close."""

from __future__ import annotations

import pytest

from pywry import (
    Button,
    Checkbox,
    DateInput,
    Div,
    InvalidArgumentError,
    Marquee,
    Modal,
    MultiSelect,
    NumberInput,
    Option,
    RadioGroup,
    RangeInput,
    SearchInput,
    SecretInput,
    Select,
    TabGroup,
    TextArea,
    TextInput,
    TickerItem,
    Toggle,
    Toolbar,
)
from recorder import Recorder
from tabs import open_widget

pytestmark = pytest.mark.e2e

EVENTS = ("app:save", "app:theme", "app:dark", "app:agree", "app:name", "app:count", "app:zoom")


def _toolbars() -> list[Toolbar]:
    return [
        Toolbar(
            component_id="main-bar",
            position="top",
            items=[
                Button(component_id="save", label="Save", event="app:save", data={"force": True}),
                Select(
                    component_id="theme",
                    label="Theme",
                    event="app:theme",
                    options=[Option(label="Dark", value="dark"), Option(label="Light")],
                    selected="dark",
                ),
                Toggle(component_id="dark", label="Dark", event="app:dark", value=True),
                Checkbox(component_id="agree", label="Agree", event="app:agree"),
                TextInput(component_id="name", label="Name", event="app:name", debounce=0),
                NumberInput(component_id="count", event="app:count", value=1, min=0, max=9),
            ],
        ),
        # The dict form, as the release accepts it.
        {
            "position": "left",
            "component_id": "side",
            "items": [
                {"type": "slider", "component_id": "zoom", "event": "app:zoom", "debounce": 0},
                {"type": "div", "component_id": "note", "content": "<b id=bold>note</b>"},
                {"type": "button", "label": "Settings", "event": "modal:open:settings"},
            ],
        },
    ]


MODAL = Modal(
    component_id="settings",
    title="Settings",
    on_close_event="app:settings-closed",
    items=[TextInput(component_id="user", label="User", event="app:user")],
)


@pytest.fixture
def shown(make_app, page):
    app = make_app()
    record = Recorder()
    callbacks = {name: (lambda data, name=name: record((name, data))) for name in EVENTS}
    callbacks["app:settings-closed"] = lambda data: record(("closed", data))
    callbacks["toolbar:state-response"] = lambda data: record(("state", data))
    handle = app.show(
        "<p id=content>content</p>",
        label="c",
        callbacks=callbacks,
        toolbars=_toolbars(),
        modals=[MODAL],
    )
    open_widget(page, handle.url)
    return handle, page, record


def test_every_item_renders_where_its_toolbar_goes(shown):
    _, page, _ = shown
    assert page.locator(".pywry-toolbar-top #save").inner_text() == "Save"
    assert page.locator(".pywry-toolbar-left #zoom").count() == 1
    assert page.locator("#bold").inner_text() == "note"  # a Div's content is HTML
    assert page.locator("#theme").input_value() == "dark"
    assert page.locator("#dark").is_checked()
    assert not page.locator("#settings .pywry-modal").is_visible()
    assert page.js_errors == []


def test_each_item_sends_its_event_and_the_release_payload(shown):
    _, page, record = shown
    page.click("#save")
    page.select_option("#theme", "Light")
    page.click("#dark")
    page.click("#agree")
    page.fill("#name", "Ada")
    page.fill("#count", "7")
    page.locator("#count").dispatch_event("change")
    page.fill("#zoom", "80")
    got: dict = {}
    while len(got) < len(EVENTS):  # a number input may also send on blur: keep the last
        got = dict(record.wait_for(len(record.items) + 1 if got else len(EVENTS)))
    assert got == {
        "app:save": {"componentId": "save", "force": True},
        "app:theme": {"value": "Light", "componentId": "theme"},
        "app:dark": {"value": False, "componentId": "dark"},
        "app:agree": {"value": True, "componentId": "agree"},
        "app:name": {"value": "Ada", "componentId": "name"},
        "app:count": {"value": 7, "componentId": "count"},
        "app:zoom": {"value": 80, "componentId": "zoom"},
    }


def test_set_toolbar_value_changes_what_the_page_shows(shown):
    handle, page, _ = shown
    handle.set_toolbar_value("name", "Grace")
    page.wait_for_function("() => document.getElementById('name').value === 'Grace'")
    handle.set_toolbar_value("save", label="Store", disabled=True)
    page.wait_for_function("() => document.getElementById('save').disabled")
    assert page.locator("#save").inner_text() == "Store"
    handle.set_toolbar_values({"dark": False, "theme": "Light", "zoom": 20})
    page.wait_for_function("() => !document.getElementById('dark').checked")
    assert page.locator("#theme").input_value() == "Light"
    assert page.locator("#zoom").input_value() == "20"
    assert page.locator(".pywry-slider-value").inner_text() == "20"


def test_state_requests_are_answered_as_event_and_as_request(shown):
    handle, _, record = shown
    handle.get_toolbar_value("count", context={"n": 1})
    handle.request_toolbar_state()
    first, second = (data for _, data in record.wait_for(2))
    assert first == {"componentId": "count", "value": 1, "context": {"n": 1}}
    assert second["toolbars"]["main-bar"] == {
        "position": "top",
        "components": ["save", "theme", "dark", "agree", "name", "count"],
    }
    assert second["components"]["theme"] == {"type": "select", "value": "dark"}
    answer = handle.request("toolbar:request-state", {"componentId": "dark"}, timeout=5)
    assert answer == {"componentId": "dark", "value": True}


def test_a_modal_opens_and_closes_by_its_events(shown):
    handle, page, record = shown
    dialog = page.locator("#settings .pywry-modal")
    handle.emit("modal:open:settings")
    dialog.wait_for(state="visible")
    handle.emit("modal:close:settings")
    dialog.wait_for(state="hidden")
    assert record.wait_for(1)[0] == ("closed", {"modalId": "settings"})
    page.click("text=Settings")  # a button whose event is modal:open:<id>
    dialog.wait_for(state="visible")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    page.click("text=Settings")
    page.click("#settings .pywry-modal-close")
    dialog.wait_for(state="hidden")


def test_user_values_stay_text(make_app, page):
    app = make_app()
    evil = "<img src=x onerror=window.hacked=1>"
    handle = app.show(
        "<p>x</p>",
        toolbars=[Toolbar(items=[Button(label=evil, event="app:x", data={"x": evil})])],
        modals=[Modal(component_id="m", title=evil, open_on_load=True)],
    )
    open_widget(page, handle.url)
    assert page.locator(".pywry-toolbar-button").inner_text() == evil
    assert page.locator(".pywry-modal-title").inner_text() == evil
    assert page.evaluate("() => window.hacked") is None


def test_a_page_without_components_carries_none_of_their_script(make_app, page):
    handle = make_app().show("<p>plain</p>")
    open_widget(page, handle.url)
    assert page.evaluate("() => window.__PYWRY_TOOLBAR__") is None
    assert page.locator("#pywry-components").count() == 0


MORE_EVENTS = ("app:notes", "app:find", "app:day", "app:span", "app:side", "app:view", "app:cols")


@pytest.fixture
def more(make_app, page):
    app = make_app()
    record = Recorder()
    callbacks = {name: (lambda data, name=name: record((name, data))) for name in MORE_EVENTS}
    callbacks["toolbar:state-response"] = lambda data: record(("state", data))
    items = [
        TextArea(component_id="notes", event="app:notes", debounce=0),
        SearchInput(component_id="find", event="app:find", debounce=0),
        DateInput(component_id="day", event="app:day", value="2024-01-31"),
        RangeInput(component_id="span", event="app:span", start=10, end=90, debounce=0),
        RadioGroup(component_id="side", event="app:side", options=["buy", "sell"], selected="buy"),
        TabGroup(
            component_id="view", event="app:view", options=["table", "chart"], selected="table"
        ),
        MultiSelect(component_id="cols", event="app:cols", options=["a", "b", "c"], selected=["a"]),
    ]
    handle = app.show(
        "<p>more</p>", label="m", callbacks=callbacks, toolbars=[Toolbar(items=items)]
    )
    open_widget(page, handle.url)
    return handle, page, record


def test_the_other_items_send_the_release_payloads(more):
    _, page, record = more
    page.fill("#notes", "line one\nline two")
    page.fill("#find", "needle")
    page.fill("#day", "2025-02-03")
    page.locator("#span .pywry-range-end").fill("60")
    page.click("#side input[value=sell]")
    page.click("#view [data-value=chart]")
    page.click("#cols input[value=c]")
    got: dict = {}
    while len(got) < len(MORE_EVENTS):
        got = dict(record.wait_for(len(record.items) + 1 if got else len(MORE_EVENTS)))
    assert got == {
        "app:notes": {"value": "line one\nline two", "componentId": "notes"},
        "app:find": {"value": "needle", "componentId": "find"},
        "app:day": {"value": "2025-02-03", "componentId": "day"},
        "app:span": {"start": 10, "end": 60, "componentId": "span"},
        "app:side": {"value": "sell", "componentId": "side"},
        "app:view": {"value": "chart", "componentId": "view"},
        "app:cols": {"values": ["a", "c"], "componentId": "cols"},
    }
    assert page.js_errors == []


def test_the_other_items_follow_set_toolbar_values_and_report_state(more):
    handle, page, record = more
    handle.set_toolbar_values(
        {"span": {"start": 20, "end": 30}, "side": "sell", "view": "chart", "cols": ["b", "c"]}
    )
    page.wait_for_function(
        "() => document.querySelector('#view .pywry-tab-active').textContent === 'chart'"
    )
    handle.request_toolbar_state()
    ((_, state),) = record.wait_for(1)
    values = {cid: entry["value"] for cid, entry in state["components"].items()}
    assert values["span"] == {"start": 20, "end": 30}
    assert values["side"] == "sell"
    assert values["view"] == "chart"
    assert values["cols"] == ["b", "c"]
    assert page.locator("#span .pywry-range-value").inner_text() == "20 - 30"


def test_a_marquee_scrolls_sends_when_clicked_and_follows_its_events(make_app, page):
    app = make_app()
    record = Recorder()
    aapl = TickerItem(ticker="AAPL", text="AAPL 185.50", class_name="up")
    ticker = Marquee(
        component_id="news",
        text=aapl.build_html() + " <b>more</b>",
        event="app:news",
        clickable=True,
        separator=" | ",
    )
    handle = app.show(
        "<p>m</p>", callbacks={"app:news": record}, toolbars=[Toolbar(items=[ticker])]
    )
    open_widget(page, handle.url)
    assert page.locator("#news .pywry-marquee-content").count() == 2  # twice, for the loop
    assert page.locator("#news .pywry-marquee-separator").first.text_content() == " | "
    page.click("#news")  # the track moves; the marquee around it does not
    assert record.wait_for(1) == [
        {"value": aapl.build_html() + " <b>more</b>", "componentId": "news"}
    ]
    handle.emit(*aapl.update_payload(text="AAPL 186.00", class_add="down", class_remove="up"))
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-ticker=AAPL]')]"
        ".every(e => e.textContent === 'AAPL 186.00' && e.className === 'pywry-ticker-item down')"
    )
    handle.emit(*ticker.update_payload(text="<i>plain</i>", paused=True, speed=5))
    page.wait_for_function(
        "() => document.querySelector('#news .pywry-marquee-content').textContent === '<i>plain</i> | '"
    )
    assert "pywry-marquee-paused" in page.locator("#news").get_attribute("class")
    assert (
        page.evaluate(
            "() => document.getElementById('news').style.getPropertyValue('--pywry-marquee-speed')"
        )
        == "5s"
    )
    assert page.js_errors == []


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


def test_items_nested_in_a_div_work_as_any_other(make_app, page, tmp_path):
    js = tmp_path / "inner.js"
    js.write_text("window.innerRan = true;")
    record = Recorder()
    inner = Div(component_id="inner", content="<span id=n>nested</span>", script=js)
    div = Div(component_id="outer", children=[Button(component_id="go", event="app:go"), inner])
    handle = make_app().show(
        "<p>x</p>",
        toolbars=[Toolbar(items=[div])],
        callbacks={"app:go": lambda data: record(dict(data))},
    )
    open_widget(page, handle.url)
    assert page.locator("#outer #inner[data-parent-id=outer] #n").inner_text() == "nested"
    assert page.evaluate("() => window.innerRan") is True  # a nested Div's script file read
    page.click("#outer #go")
    assert record.wait_for(1) == [{"componentId": "go"}]


def test_a_static_marquee_cycles_through_its_items(make_app, page):
    marquee = Marquee(component_id="m", behavior="static", items=["<b id=a>A</b>", "B"], speed=1)
    nested = Marquee(component_id="n", children=[Button(component_id="in", event="app:in")])
    handle = make_app().show("<p>x</p>", toolbars=[Toolbar(items=[marquee, nested])])
    open_widget(page, handle.url)
    assert page.locator("#m #a").inner_text() == "A"  # items are HTML, as in the release
    page.wait_for_function("() => document.querySelector('#m').textContent === 'B'")
    assert page.locator("#n .pywry-marquee-content #in").count() == 2  # shown twice


def test_a_searchable_selects_box_hides_the_options_that_do_not_match(make_app, page):
    select = Select(
        component_id="s", label="Pick", searchable=True, options=["Apple", "Banana", "apricot"]
    )
    handle = make_app().show("<p>x</p>", toolbars=[Toolbar(items=[select])])
    open_widget(page, handle.url)
    page.fill(".pywry-search-input", "AP")
    shown = "() => [...document.querySelectorAll('#s option')].filter(o => !o.hidden).length"
    page.wait_for_function(f"() => ({shown})() === 2")
    assert page.get_by_label("Pick", exact=True).input_value() == "Apple"
