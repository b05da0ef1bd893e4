"""Components are values checked where they are made, with messages that say what fits."""

from __future__ import annotations

import dataclasses

import pytest

from pywry.domain.components import (
    Button,
    Checkbox,
    Div,
    NumberInput,
    Option,
    Select,
    SliderInput,
    TextInput,
    Toggle,
)
from pywry.domain.errors import InvalidArgumentError, InvalidEventNameError
from pywry.domain.inputs import (
    DateInput,
    Marquee,
    MultiSelect,
    RadioGroup,
    RangeInput,
    SearchInput,
    SecretInput,
    TabGroup,
    TextArea,
    TickerItem,
)
from pywry.domain.toolbars import Modal, Toolbar, check_unique_ids, to_modals, to_toolbars


def test_items_get_an_id_of_their_kind_and_are_frozen():
    button = Button(label="Go", event="app:go")
    assert button.component_id.startswith("button-")
    assert button.type == "button"
    assert Toggle().component_id.startswith("toggle-")
    assert Toolbar().component_id.startswith("toolbar-")
    with pytest.raises(dataclasses.FrozenInstanceError):
        button.label = "x"  # type: ignore[misc]


def test_an_option_value_defaults_to_its_label_and_strings_are_options():
    select = Select(
        event="app:pick", options=["a", {"label": "B", "value": "b"}, Option(label="C")]
    )
    assert [(o.label, o.value) for o in select.options] == [("a", "a"), ("B", "b"), ("C", "C")]


@pytest.mark.parametrize("event", ["bad", "app:", "1app:x", "app:x y", "a:b:c:d"])
def test_an_event_name_the_bridge_would_refuse_fails_at_construction(event):
    with pytest.raises(InvalidEventNameError, match="Button"):
        Button(event=event)


@pytest.mark.parametrize("event", ["pywry:update-html", "toolbar:set-value", "modal:whatever"])
def test_the_page_scripts_namespaces_are_reserved(event):
    with pytest.raises(InvalidEventNameError, match="reserved namespace"):
        Button(event=event)


def test_modal_commands_are_allowed_as_item_events():
    assert Button(event="modal:open:settings").event == "modal:open:settings"
    assert Button(event="modal:close:settings").event == "modal:close:settings"


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: Toolbar(position="middle"), "position 'middle' is not one of"),
        (lambda: Button(variant="loud"), "variant must be one of"),
        (lambda: Button(size="huge"), "size must be"),
        (lambda: Button(data=[1]), "data must be a dict"),
        (lambda: Toggle(value="yes"), "value must be True or False"),
        (lambda: Checkbox(disabled=1), "disabled must be True or False"),
        (lambda: TextInput(debounce=-1), "debounce must be 0 or more"),
        (lambda: TextInput(value=3), "value must be a string"),
        (lambda: NumberInput(min=5, max=1), r"min \(5\) is more than max \(1\)"),
        (lambda: SliderInput(value="50"), "value must be a number"),
        (lambda: Div(content=None), "content must be a string"),
        (lambda: Modal(size="huge"), "size must be one of"),
        (lambda: Select(options="abc"), "options must be a list"),
        (lambda: Toolbar(items=[42]), "a toolbar item must be a component"),
    ],
)
def test_bad_fields_fail_with_what_fits(make, says):
    with pytest.raises(InvalidArgumentError, match=says):
        make()


def test_a_bad_close_event_of_a_modal_fails():
    with pytest.raises(InvalidEventNameError, match="on_close_event"):
        Modal(on_close_event="closed")


def test_the_dict_form_builds_the_same_values():
    (toolbar,) = to_toolbars(
        [
            {
                "position": "bottom",
                "items": [
                    {"type": "button", "label": "Go", "event": "app:go", "component_id": "go"},
                    {"type": "toggle", "event": "app:on", "value": True},
                    {"type": "number", "event": "app:n", "value": 2},
                    {"type": "slider", "event": "app:s"},
                    {"type": "text", "event": "app:t"},
                    {"type": "checkbox", "event": "app:c"},
                    {"type": "select", "event": "app:p", "options": ["x"]},
                    {"type": "div", "content": "<b>hi</b>"},
                ],
            }
        ]
    )
    assert toolbar.position == "bottom"
    assert toolbar.items[0] == Button(label="Go", event="app:go", component_id="go")
    kinds = [type(item) for item in toolbar.items]
    assert kinds == [Button, Toggle, NumberInput, SliderInput, TextInput, Checkbox, Select, Div]
    (modal,) = to_modals([{"component_id": "m", "title": "T", "items": [{"type": "toggle"}]}])
    assert modal.title == "T"
    assert isinstance(modal.items[0], Toggle)


def test_the_dict_form_names_a_typo_and_an_unknown_type():
    with pytest.raises(InvalidArgumentError, match="did you mean label"):
        to_toolbars([{"items": [{"type": "button", "lable": "x"}]}])
    with pytest.raises(InvalidArgumentError, match="did you mean position"):
        to_toolbars([{"postion": "top"}])
    with pytest.raises(InvalidArgumentError, match="unknown toolbar item type 'knob'"):
        to_toolbars([{"items": [{"type": "knob"}]}])
    with pytest.raises(InvalidArgumentError, match="takes toolbars as a list"):
        to_toolbars(Toolbar())


def test_ids_are_unique_within_a_toolbar_and_across_a_page():
    with pytest.raises(InvalidArgumentError, match="duplicate component_id 'x'"):
        Toolbar(items=[Button(component_id="x"), Toggle(component_id="x")])
    bar = Toolbar(component_id="a", items=[Button(component_id="x")])
    modal = Modal(component_id="m", items=[Toggle(component_id="x")])
    with pytest.raises(InvalidArgumentError, match=r"duplicate component_id 'x' \(Button and"):
        check_unique_ids([bar, modal])
    with pytest.raises(InvalidArgumentError, match="duplicate component_id 'a'"):
        check_unique_ids([bar, Modal(component_id="a")])
    check_unique_ids([bar, Modal(component_id="m2")])


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: TextArea(rows=0), "rows must be a whole number of 1 or more"),
        (lambda: TextArea(resize="diagonal"), "resize must be one of"),
        (lambda: DateInput(value="31/01/2024"), "value must be a date as YYYY-MM-DD"),
        (lambda: RangeInput(start=60, end=40), "min <= start <= end <= max must hold"),
        (lambda: RangeInput(end=200), "min <= start <= end <= max must hold"),
        (lambda: RadioGroup(direction="diagonal"), "direction must be"),
        (lambda: TabGroup(size="xl"), "size must be"),
        (lambda: MultiSelect(selected="a"), "selected must be a list"),
    ],
)
def test_the_other_items_check_their_fields(make, says):
    with pytest.raises(InvalidArgumentError, match=says):
        make()


def test_the_other_items_have_their_dict_form_and_defaults():
    (toolbar,) = to_toolbars(
        [
            {
                "items": [
                    {"type": kind, "event": f"app:{kind}"}
                    for kind in ("textarea", "search", "date", "range", "radio", "tab")
                ]
                + [{"type": "multiselect", "options": ["a", "b"], "selected": ["b"]}]
            }
        ]
    )
    kinds = [type(item) for item in toolbar.items]
    assert kinds == [
        TextArea,
        SearchInput,
        DateInput,
        RangeInput,
        RadioGroup,
        TabGroup,
        MultiSelect,
    ]
    assert toolbar.items[1].placeholder == "Search..."
    assert toolbar.items[6].selected == ("b",)


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: Marquee(speed=0.5), "speed is seconds per cycle"),
        (lambda: Marquee(gap=-1), "gap must be whole pixels"),
        (lambda: Marquee(direction="sideways"), "direction must be one of"),
        (lambda: Marquee(behavior="bounce"), "behavior must be one of"),
        (lambda: TickerItem(ticker=""), "ticker must name the entry"),
    ],
)
def test_a_marquee_and_its_ticker_items_check_their_fields(make, says):
    with pytest.raises(InvalidArgumentError, match=says):
        make()


def test_ticker_items_escape_their_text_and_give_the_release_payloads():
    item = TickerItem(ticker='A"B', text="<b>x</b>", class_name="up")
    assert item.build_html() == (
        '<span data-ticker="A&quot;B" class="pywry-ticker-item up">&lt;b&gt;x&lt;/b&gt;</span>'
    )
    assert TickerItem(ticker="A", html="<b>x</b>").build_html().endswith("><b>x</b></span>")
    assert item.update_payload(text="y", class_add="down") == (
        "toolbar:marquee-set-item",
        {"ticker": 'A"B', "text": "y", "class_add": "down"},
    )
    marquee = Marquee(component_id="m")
    assert marquee.update_payload(text="t", paused=False) == (
        "toolbar:marquee-set-content",
        {"id": "m", "text": "t", "paused": False},
    )


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda: TextInput(autocorrect="maybe"), "autocorrect must be 'on' or 'off'"),
        (lambda: SearchInput(autocapitalize="all"), "autocapitalize must be one of"),
        (lambda: TextArea(spellcheck="yes"), "spellcheck must be True or False"),
        (lambda: Option(label="a", data_attrs={"x y": "1"}), "must be letters, digits and -"),
        (lambda: Option(label="a", data_attrs={"k": 1}), "must be a string"),
        (lambda: Modal(overlay_opacity=2), "overlay_opacity must be from 0 to 1"),
        (lambda: Modal(width=600), "width must be a string"),
    ],
)
def test_the_release_s_finer_fields_are_checked(make, says):
    with pytest.raises(InvalidArgumentError, match=says):
        make()


def test_a_script_is_javascript_or_a_path():
    with pytest.raises(InvalidArgumentError, match="script must be JavaScript or a file path"):
        Div(script=42)
    with pytest.raises(InvalidArgumentError, match="script must be JavaScript or a file path"):
        Toolbar(script=["a.js"])


def test_a_secret_input_never_shows_its_value_and_checks_its_fields():
    item = SecretInput(component_id="k", event="app:key", value="sk-123")
    assert "sk-123" not in repr(item)
    assert "sk-123" not in str(item.value)
    assert item.value.get_secret_value() == "sk-123"
    assert item.has_value
    assert not SecretInput().has_value
    assert SecretInput(value_exists=True).has_value  # kept elsewhere (a vault)
    assert (item.get_reveal_event(), item.get_copy_event()) == ("app:key:reveal", "app:key:copy")
    assert item.get_reveal_response_event() == "app:key:reveal-response"

    class Released:  # the release's SecretStr: its value is taken
        def get_secret_value(self) -> str:
            return "from-secret-str"

    assert SecretInput(value=Released()).value.get_secret_value() == "from-secret-str"
    with pytest.raises(InvalidArgumentError, match="show_copy must be True or False"):
        SecretInput(show_copy="yes")
    with pytest.raises(InvalidArgumentError, match="handler must be callable"):
        SecretInput(handler="vault")
    with pytest.raises(InvalidArgumentError, match="value must be a string"):
        SecretInput(value=3)
    # The buttons send "<event>:reveal": a three-part event would make a four-part one.
    with pytest.raises(InvalidEventNameError):
        SecretInput(event="app:key:one")
    with pytest.raises(InvalidEventNameError, match="reserved"):
        SecretInput(event="pywry:key")
    (bar,) = to_toolbars([{"items": [{"type": "secret", "value": "x", "event": "app:k"}]}])
    assert isinstance(bar.items[0], SecretInput)


def test_a_div_holds_nested_items_checked_as_any_other():
    inner = Div(component_id="inner", content="<i>x</i>")
    div = Div(component_id="outer", children=[Button(label="Go", event="app:go"), inner])
    assert isinstance(div.children[0], Button)
    assert div.children[1] is inner
    (bar,) = to_toolbars(
        [{"items": [{"type": "div", "children": [{"type": "button", "event": "app:b"}]}]}]
    )
    assert isinstance(bar.items[0].children[0], Button)
    with pytest.raises(InvalidArgumentError, match="children must be a list"):
        Div(children="<b>")
    with pytest.raises(InvalidArgumentError, match="unknown toolbar item type"):
        Div(children=[{"type": "knob"}])
    with pytest.raises(InvalidArgumentError, match="duplicate component_id 'inner'"):
        check_unique_ids([Toolbar(items=[div, Div(component_id="inner")])])


def test_a_marquee_takes_items_to_cycle_and_children_in_place_of_text():
    marquee = Marquee(behavior="static", items=["<b>A</b>", "B"], children=[{"type": "div"}])
    assert marquee.items == ("<b>A</b>", "B")
    assert isinstance(marquee.children[0], Div)
    with pytest.raises(InvalidArgumentError, match="items must be a list"):
        Marquee(items="A")
    with pytest.raises(InvalidArgumentError, match="each of items must be a string"):
        Marquee(items=[1])
    with pytest.raises(InvalidArgumentError, match="children must be a list"):
        Marquee(children="x")


def test_a_select_may_be_searchable():
    assert Select(searchable=True).searchable
    assert not Select().searchable
    with pytest.raises(InvalidArgumentError, match="searchable must be True or False"):
        Select(searchable="yes")
