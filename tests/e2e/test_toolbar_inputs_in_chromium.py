"""The other toolbar inputs in headless Chromium: text areas, search boxes, dates, ranges,
radio and tab groups, multi-selects, items nested in a Div, searchable selects and marquees."""

from __future__ import annotations

import pytest

from pywry import (
    Button,
    DateInput,
    Div,
    Marquee,
    MultiSelect,
    RadioGroup,
    RangeInput,
    SearchInput,
    Select,
    TabGroup,
    TextArea,
    TickerItem,
    Toolbar,
)
from recorder import Recorder
from tabs import open_widget

pytestmark = pytest.mark.e2e


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


def test_a_static_marquee_cycles_through_its_items(make_app, page):
    marquee = Marquee(component_id="m", behavior="static", items=["<b id=a>A</b>", "B"], speed=1)
    nested = Marquee(component_id="n", children=[Button(component_id="in", event="app:in")])
    handle = make_app().show("<p>x</p>", toolbars=[Toolbar(items=[marquee, nested])])
    open_widget(page, handle.url)
    assert page.locator("#m #a").inner_text() == "A"  # items are HTML, as in the release
    page.wait_for_function("() => document.querySelector('#m').textContent === 'B'")
    assert page.locator("#n .pywry-marquee-content #in").count() == 2  # shown twice
