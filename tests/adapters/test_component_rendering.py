"""Components drawn as HTML: every value a user passes is escaped; the sheet and script go
only into pages that have components."""

from __future__ import annotations

import html
import re

import pytest

from pywry.adapters.http.components import render_item, render_modal
from pywry.adapters.http.layout import with_components
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
)
from pywry.domain.toolbars import Modal, Toolbar

EVIL = "\"'><script>alert(1)</script>&"
ESCAPED = html.escape(EVIL, quote=True)


def _common(**extra):
    return {"component_id": EVIL, "label": EVIL, "description": EVIL, "style": EVIL, **extra}


@pytest.mark.parametrize(
    "item",
    [
        Button(**_common(data={EVIL: EVIL})),
        Select(
            **_common(options=[Option(label=EVIL, value=EVIL, description=EVIL)], selected=EVIL)
        ),
        Toggle(**_common()),
        Checkbox(**_common()),
        TextInput(**_common(value=EVIL, placeholder=EVIL)),
        NumberInput(**_common(value=1.5, min=0, max=2, step=0.5)),
        SliderInput(**_common()),
        Div(**_common(class_name=EVIL)),
        TextArea(**_common(value=EVIL, placeholder=EVIL)),
        SearchInput(**_common(value=EVIL, placeholder=EVIL)),
        DateInput(**_common()),
        RangeInput(**_common()),
        RadioGroup(**_common(options=[Option(label=EVIL, value=EVIL)], selected=EVIL)),
        TabGroup(**_common(options=[Option(label=EVIL, value=EVIL)], selected=EVIL)),
        MultiSelect(**_common(options=[Option(label=EVIL, value=EVIL)], selected=[EVIL])),
        Marquee(**_common(separator=EVIL, clickable=True)),
    ],
    ids=lambda item: type(item).__name__,
)
def test_every_user_value_of_every_item_is_escaped(item):
    out = render_item(item)
    assert "<script>" not in out
    assert EVIL not in out
    assert ESCAPED in out


def test_a_buttons_data_travels_as_escaped_json():
    out = render_item(Button(component_id="b", event="app:go", data={"k": "</x>"}))
    (attr,) = re.findall(r'data-data="([^"]*)"', out)
    assert html.unescape(attr) == '{"k": "</x>"}'


def test_a_divs_content_and_a_marquees_text_are_html_as_shows_content_is():
    assert "<b>bold</b>" in render_item(Div(content="<b>bold</b>"))
    assert "<b>bold</b>" in render_item(Marquee(text="<b>bold</b>"))


def test_a_modal_and_its_container_values_are_escaped():
    modal = Modal(component_id=EVIL, title=EVIL, style=EVIL, class_name=EVIL)
    out = render_modal(modal)
    assert EVIL not in out
    assert "<script>" not in out
    assert out.count(ESCAPED) >= 3


def test_toolbars_go_around_the_content_by_position():
    bars = [
        Toolbar(component_id=place, position=place, items=[Button(event="app:x")])
        for place in ("footer", "bottom", "right", "inside", "left", "top", "header")
    ]
    out = with_components("<p>CONTENT</p>", bars, [])
    order = [out.index(f'id="{place}"') for place in ("header", "top", "left", "inside")]
    order += [out.index("CONTENT")]
    order += [out.index(f'id="{place}"') for place in ("right", "bottom", "footer")]
    assert order == sorted(order)


def test_a_whole_document_keeps_its_own_body():
    doc = "<!DOCTYPE html><html><head></head><body class=mine><p>x</p></body></html>"
    out = with_components(doc, [Toolbar(component_id="t")], [Modal(component_id="m")])
    assert out.startswith("<!DOCTYPE html><html><head></head><body class=mine>")
    assert out.index('id="t"') < out.index("<p>x</p>") < out.index('id="m"')
    assert out.endswith("</script></body></html>")


def test_only_pages_with_components_get_the_sheet_and_script():
    assert with_components("<p>x</p>", [], []) == "<p>x</p>"
    out = with_components("<p>x</p>", [Toolbar()], [])
    assert out.count('<style id="pywry-components">') == 1
    assert out.count("__PYWRY_TOOLBAR__") == 1
    scripts = re.findall(r"<script>(.*?)</script>", out, re.DOTALL)
    assert len(scripts) == 2  # the components' and the marquees'
    assert "__PYWRY_TOOLBAR__" in scripts[0]
    assert "toolbar:marquee-set-item" in scripts[1]
    # Nothing in them can end the element early: each ends where its code ends.
    assert all(script.rstrip().endswith("})();") for script in scripts)


def test_typing_aids_option_data_and_modal_sizes_reach_the_html():
    out = render_item(TextArea(spellcheck=True, autocomplete="name", autocapitalize="words"))
    assert ' spellcheck="true" autocomplete="name" autocorrect="off" autocapitalize="words"' in out
    select = Select(options=[Option(label="a", data_attrs={"group": EVIL})])
    assert f'data-group="{ESCAPED}"' in render_item(select)
    modal = render_modal(Modal(width="600px", max_height="50vh", overlay_opacity=0.2))
    assert (
        "--pywry-modal-alpha:0.2;--pywry-modal-max-height:50vh;--pywry-modal-width:600px" in modal
    )
    assert 'data-reset-on-close="true"' in modal


def test_a_text_areas_bounds_go_before_the_users_style():
    out = render_item(TextArea(min_height="2em", max_width="30ch", style="color:red"))
    assert 'style="min-height:2em;max-width:30ch;color:red"' in out


def test_a_script_cannot_end_its_element_early():
    out = render_item(Div(script="var s = '</script><b>x</b>';"))
    assert out.endswith("<script>var s = '<\\/script><b>x<\\/b>';</script>")


def test_a_secret_input_renders_a_mask_and_never_its_value():
    item = SecretInput(component_id="k", label="<b>", event="app:key", value='sk-"<x>')
    out = render_item(item)
    assert "sk-" not in out
    assert 'value="' + "\u2022" * 12 + '"' in out
    assert 'data-has-value="true"' in out
    assert '<label for="k">&lt;b&gt;</label>' in out
    assert out.count("data-secret=") == 3  # edit, copy and show
    bare = render_item(SecretInput(component_id="e", placeholder='"x', show_copy=False))
    assert 'value=""' in bare
    assert 'placeholder="&quot;x"' in bare
    assert 'data-secret="copy"' not in bare
    assert "<label" not in bare
    page = with_components("<p>x</p>", [Toolbar(items=[item])], [])
    assert 'sk-"' not in page
    assert "sk-&quot;" not in page
    assert "api.__secrets" in page
    # Only a page with a SecretInput carries its script.
    other = with_components("<p>x</p>", [Toolbar(items=[Button(label="b")])], [])
    assert "api.__secrets" not in other


def test_a_divs_children_render_inside_it_and_nested_divs_name_their_parent():
    div = Div(
        component_id="outer",
        content="<h3>Controls</h3>",
        children=[
            Button(component_id="go", label="<Go>", event="app:go"),
            Div(component_id="inner", content="<span>Nested</span>"),
        ],
    )
    out = render_item(div)
    assert out.startswith('<div id="outer"')
    assert "<h3>Controls</h3><button" in out
    assert "&lt;Go&gt;" in out
    assert '<div data-parent-id="outer" id="inner"' in out
    assert out.endswith("<span>Nested</span></div></div>")


def test_a_marquee_draws_its_children_and_carries_its_items_escaped():
    static = render_item(
        Marquee(component_id="m", behavior="static", items=['<b>"A"</b>'], speed=2)
    )
    assert 'data-items="[&quot;&lt;b&gt;\\&quot;A\\&quot;&lt;/b&gt;&quot;]"' in static
    assert 'data-speed="2"' in static
    nested = render_item(Marquee(component_id="m2", children=[Div(component_id="d")]))
    assert '<div data-parent-id="m2" id="d"' in nested


def test_a_searchable_select_has_a_search_box_before_it():
    out = render_item(Select(component_id="s", label="<L>", searchable=True, options=["a"]))
    assert out.startswith('<span class="pywry-field"><label for="s">&lt;L&gt;</label>')
    assert 'class="pywry-input pywry-search-input" placeholder="Search..."' in out
    assert 'class="pywry-select pywry-searchable"' in out
    assert "pywry-search-input" not in render_item(Select(component_id="p", options=["a"]))
