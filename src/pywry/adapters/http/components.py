"""Toolbars and modals as HTML: the one place that draws the components.

Every value a user passes is escaped (text as text, attributes quoted), except a
:class:`~pywry.domain.components.Div`'s ``content``, which is HTML by definition, as
``show()``'s content is. The style sheet and the scripts go into the page once, and only
into a page that has components, so a page without any does not grow; where everything
goes around the content is :mod:`.layout`'s.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from functools import cache
from html import escape
from importlib import resources

from ...domain.components import (
    Button,
    Checkbox,
    Div,
    NumberInput,
    Option,
    Select,
    SliderInput,
    TextInput,
    Toggle,
    ToolbarItem,
)
from ...domain.inputs import (
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
from ...domain.toolbars import Modal, Toolbar

__all__ = ["assets", "render_item", "render_modal", "render_toolbar"]


def assets(*, secrets: bool) -> str:
    """The components' style sheet and scripts (and the SecretInput's, when ``secrets``)."""
    out = f'<style id="pywry-components">{_style()}</style><script>{_script()}</script>'
    out += f"<script>{_script('marquee.js')}</script>"
    return out + f"<script>{_script('secret.js')}</script>" if secrets else out


@cache
def _style() -> str:
    # Built on the --pywry-* variables, so a theme switch or a user's override reaches them.
    source = resources.files(__package__).joinpath("static/components.css").read_text("utf-8")
    source = re.sub(r"/\*.*?\*/", "", source, flags=re.DOTALL)
    # Inlined in a <style>: nothing in it may close that element early.
    return "".join(line.strip() for line in source.splitlines()).replace("</", "<\\/")


@cache
def _script(name: str = "components.js") -> str:
    source = resources.files(__package__).joinpath(f"static/{name}").read_text("utf-8")
    # Every page with components carries it: without its comment lines and indentation.
    lines = (line.strip() for line in source.splitlines())
    source = "\n".join(line for line in lines if line and not line.startswith("//"))
    # Inlined in a <script>: nothing in it may close that element early.
    return source.replace("</", "<\\/")


def _user_script(script: object) -> str:
    """A ``script`` field's JavaScript (read by the app at show()), run where it stands."""
    if not isinstance(script, str) or not script.strip():
        return ""
    # Nothing in it may end the element early; "<\/" means the same to JavaScript.
    safe = script.replace("</", "<\\/")
    return f"<script>{safe}</script>"


def _attr(value: object) -> str:
    return escape(str(value), quote=True)


def _common(item: ToolbarItem, classes: str) -> str:
    """id, data-event, class, style, tooltip and disabled, each escaped."""
    extra = ""
    if item.style:
        extra += f' style="{_attr(item.style)}"'
    if item.description:
        extra += f' title="{_attr(item.description)}"'
    if item.disabled:
        extra += " disabled"
    return (
        f'id="{_attr(item.component_id)}" class="{classes}"'
        f' data-event="{_attr(item.event)}" data-kind="{item.kind}"{extra}'
    )


def _labelled(item: ToolbarItem, control: str, *, group: bool = False) -> str:
    if not item.label:
        return control
    if group:  # several inputs: a <label> may hold one only
        return f'<span class="pywry-field"><span>{escape(item.label)}</span>{control}</span>'
    return (
        f'<label class="pywry-field" for="{_attr(item.component_id)}">'
        f"<span>{escape(item.label)}</span>{control}</label>"
    )


def _number(value: float | None) -> str:
    return "" if value is None else _attr(value)


def _data_attrs(option: Option) -> str:
    # The names are checked in the domain (letters, digits and -); the values escaped here.
    return "".join(f' data-{name}="{_attr(v)}"' for name, v in option.data_attrs.items())


def _typing(item: TextInput) -> str:
    """The browser's typing aids, as the release sets them."""
    return (
        f' spellcheck="{str(item.spellcheck).lower()}" autocomplete="{_attr(item.autocomplete)}"'
        f' autocorrect="{item.autocorrect}" autocapitalize="{item.autocapitalize}"'
    )


def render_item(item: ToolbarItem) -> str:
    """One item's HTML."""
    more = _render_more(item)
    if more is not None:
        return more
    if isinstance(item, Button):
        classes = "pywry-btn pywry-toolbar-button"
        if item.variant != "primary":
            classes += f" pywry-btn-{item.variant}"
        if item.size:
            classes += f" pywry-btn-{item.size}"
        data = f' data-data="{_attr(json.dumps(dict(item.data)))}"' if item.data else ""
        text = escape(item.label or "Button")
        return f'<button type="button" {_common(item, classes)}{data}>{text}</button>'
    if isinstance(item, Select):
        options = "".join(
            f'<option value="{_attr(o.value)}"'
            f"{' selected' if o.value == item.selected else ''}{_data_attrs(o)}"
            f"{f' title={chr(34)}{_attr(o.description)}{chr(34)}' if o.description else ''}>"
            f"{escape(o.label)}</option>"
            for o in item.options
        )
        classes = "pywry-select pywry-searchable" if item.searchable else "pywry-select"
        control = f"<select {_common(item, classes)}>{options}</select>"
        if not item.searchable:
            return _labelled(item, control)
        off = " disabled" if item.disabled else ""
        search = (
            '<input type="search" class="pywry-input pywry-search-input"'
            f' placeholder="Search..." aria-label="Search {_attr(item.label)}"{off}>'
        )
        label = f'<label for="{_attr(item.component_id)}">{escape(item.label)}</label>'
        return f'<span class="pywry-field">{label if item.label else ""}{search}{control}</span>'
    if isinstance(item, Toggle):  # a Checkbox too
        role = "" if isinstance(item, Checkbox) else ' role="switch"'
        checked = " checked" if item.value else ""
        control = f'<input type="checkbox"{role} {_common(item, "pywry-input")}{checked}>'
        return _labelled(item, control)
    if isinstance(item, TextInput):
        kind = "search" if isinstance(item, SearchInput) else "text"
        control = (
            f'<input type="{kind}" {_common(item, "pywry-input")} value="{_attr(item.value)}"'
            f' placeholder="{_attr(item.placeholder)}" data-debounce="{int(item.debounce)}"'
            f"{_typing(item)}>"
        )
        return _labelled(item, control)
    if isinstance(item, NumberInput):
        control = (
            f'<input type="number" {_common(item, "pywry-input")} value="{_number(item.value)}"'
            f' min="{_number(item.min)}" max="{_number(item.max)}"'
            f' step="{_number(item.step) or "any"}">'
        )
        return _labelled(item, control)
    if isinstance(item, SliderInput):
        shown = (
            f'<output class="pywry-slider-value">{_attr(item.value)}</output>'
            if item.show_value
            else ""
        )
        control = (
            f'<input type="range" {_common(item, "pywry-input pywry-slider")}'
            f' value="{_attr(item.value)}" min="{_attr(item.min)}" max="{_attr(item.max)}"'
            f' step="{_attr(item.step)}" data-debounce="{_attr(item.debounce)}">{shown}'
        )
        return _labelled(item, control)
    if isinstance(item, Div):
        classes = "pywry-div" + (f" {_attr(item.class_name)}" if item.class_name else "")
        children = "".join(_child(child, item.component_id) for child in item.children or ())
        inner = f"{item.content}{children}"
        return f"<div {_common(item, classes)}>{inner}</div>{_user_script(item.script)}"
    raise TypeError(f"no rendering for {type(item).__name__}")  # every kind has one above


def _child(item: ToolbarItem, parent: str) -> str:
    # As the release: a nested Div or Marquee names the item it is in.
    out = render_item(item)
    if isinstance(item, (Div, Marquee)):
        out = out.replace("<div ", f'<div data-parent-id="{_attr(parent)}" ', 1)
    return out


def _render_more(item: ToolbarItem) -> str | None:
    """The items of ``domain/inputs.py``; None for the others."""
    off = " disabled" if item.disabled else ""
    name = _attr(item.component_id)
    if isinstance(item, TextArea):
        bounds = ";".join(
            f"{name.replace('_', '-')}:{getattr(item, name)}"
            for name in ("min_height", "max_height", "min_width", "max_width")
            if getattr(item, name)
        )
        if bounds:
            item = replace(item, style=f"{bounds};{item.style}" if item.style else bounds)
        control = (
            f'<textarea {_common(item, "pywry-input pywry-textarea")} rows="{item.rows}"'
            f' cols="{item.cols}" placeholder="{_attr(item.placeholder)}"'
            f' data-debounce="{int(item.debounce)}" data-resize="{item.resize}"{_typing(item)}>'
            f"{escape(item.value)}</textarea>"
        )
        return _labelled(item, control)
    if isinstance(item, DateInput):
        control = (
            f'<input type="date" {_common(item, "pywry-input")} value="{_attr(item.value)}"'
            f' min="{_attr(item.min)}" max="{_attr(item.max)}">'
        )
        return _labelled(item, control)
    if isinstance(item, RangeInput):
        handles = "".join(
            f'<input type="range" class="pywry-range-{end}" aria-label="{end}"'
            f' value="{_attr(value)}" min="{_attr(item.min)}" max="{_attr(item.max)}"'
            f' step="{_attr(item.step)}"{off}>'
            for end, value in (("start", item.start), ("end", item.end))
        )
        shown = (
            f'<output class="pywry-range-value">{_attr(item.start)} - {_attr(item.end)}</output>'
            if item.show_value
            else ""
        )
        control = (
            f'<span {_common(item, "pywry-range")} data-debounce="{_attr(item.debounce)}">'
            f"{handles}{shown}</span>"
        )
        return _labelled(item, control, group=True)
    if isinstance(item, (RadioGroup, MultiSelect)):
        many = isinstance(item, MultiSelect)
        chosen = set(item.selected) if isinstance(item, MultiSelect) else {item.selected}
        boxes = "".join(
            f'<label class="pywry-choice"><input type="{"checkbox" if many else "radio"}"'
            f' name="{name}" value="{_attr(o.value)}"{" checked" if o.value in chosen else ""}'
            f"{off}><span>{escape(o.label)}</span></label>"
            for o in item.options
        )
        direction = "vertical" if many else getattr(item, "direction", "horizontal")
        group = "group" if many else "radiogroup"
        classes = f"pywry-choices pywry-choices-{direction}"
        control = f'<span role="{group}" {_common(item, classes)}>{boxes}</span>'
        return _labelled(item, control, group=True)
    if isinstance(item, Marquee):
        return _labelled(item, _marquee(item), group=True)
    if isinstance(item, SecretInput):
        from .secret import render_secret  # its module imports this one's helpers

        return render_secret(item)
    if isinstance(item, TabGroup):
        tabs = "".join(
            f'<button type="button" role="tab" class="pywry-tab'
            f'{" pywry-tab-active" if o.value == item.selected else ""}"'
            f' aria-selected="{str(o.value == item.selected).lower()}"'
            f' data-value="{_attr(o.value)}"{off}>{escape(o.label)}</button>'
            for o in item.options
        )
        classes = f"pywry-tabs pywry-tabs-{item.size}"
        return f'<span role="tablist" {_common(item, classes)}>{tabs}</span>'
    return None


def _marquee(item: Marquee) -> str:
    classes = f"pywry-marquee pywry-marquee-{item.direction} pywry-marquee-{item.behavior}"
    if item.pause_on_hover:
        classes += " pywry-marquee-pause"
    # The release's variables, so its CSS for a marquee's speed and gap applies here too.
    speed = f"--pywry-marquee-speed:{item.speed}s;--pywry-marquee-gap:{item.gap}px"
    style = f"{speed};{item.style}" if item.style else speed
    clicks = f' data-text="{_attr(item.text)}"' if item.clickable and not item.disabled else ""
    head = _common(replace(item, style=style), classes)
    if not clicks:  # only a clickable marquee sends its event
        head = head.replace(f' data-event="{_attr(item.event)}"', "", 1)
    separator = (
        f'<span class="pywry-marquee-separator" aria-hidden="true">{escape(item.separator)}</span>'
        if item.separator
        else ""
    )
    inner = "".join(_child(c, item.component_id) for c in item.children or ()) or item.text
    content = f'<span class="pywry-marquee-content">{inner}{separator}</span>'
    if item.behavior == "static" and item.items:  # the page script cycles through them
        clicks += f' data-items="{_attr(json.dumps(list(item.items)))}" data-speed="{item.speed}"'
    # A scrolling marquee shows its content twice, so the loop has no gap.
    twice = "" if item.behavior == "static" else content.replace('">', '" aria-hidden="true">', 1)
    return f'<div {head}{clicks}><div class="pywry-marquee-track">{content}{twice}</div></div>'


def _container_attrs(thing: Toolbar | Modal, classes: str) -> str:
    if thing.class_name:
        classes += f" {_attr(thing.class_name)}"
    style = f' style="{_attr(thing.style)}"' if thing.style else ""
    return f'id="{_attr(thing.component_id)}" class="{classes}"{style}'


def render_toolbar(toolbar: Toolbar) -> str:
    items = "".join(render_item(item) for item in toolbar.items)
    classes = f"pywry-toolbar pywry-toolbar-{toolbar.position}"
    if toolbar.resizable:
        classes += " pywry-toolbar-resizable"
    if toolbar.collapsible:
        items = (
            '<button type="button" class="pywry-btn pywry-btn-ghost pywry-toolbar-toggle"'
            ' aria-expanded="true" aria-label="Collapse or expand">\u2261</button>' + items
        )
    script = _user_script(toolbar.script)
    return f'<div {_container_attrs(toolbar, classes)} role="toolbar">{items}</div>{script}'


def render_modal(modal: Modal) -> str:
    items = "".join(render_item(item) for item in modal.items)
    flags = (
        f' data-close-on-escape="{str(modal.close_on_escape).lower()}"'
        f' data-close-on-overlay="{str(modal.close_on_overlay_click).lower()}"'
        f' data-open-on-load="{str(modal.open_on_load).lower()}"'
        f' data-reset-on-close="{str(modal.reset_on_close).lower()}"'
    )
    if modal.on_close_event:
        flags += f' data-on-close-event="{_attr(modal.on_close_event)}"'
    title = escape(modal.title)
    # As variables, so that a rule of the user's can still change them.
    sizes = f"--pywry-modal-alpha:{modal.overlay_opacity}"
    sizes += f";--pywry-modal-max-height:{modal.max_height}"
    if modal.width is not None:
        sizes += f";--pywry-modal-width:{modal.width}"
    style = f"{sizes};{modal.style}" if modal.style else sizes
    return (
        f"<div {_container_attrs(replace(modal, style=style), 'pywry-modal-overlay')}{flags}>"
        f'<div class="pywry-modal pywry-modal-{modal.size}" role="dialog" aria-modal="true">'
        f'<div class="pywry-modal-header"><h3 class="pywry-modal-title">{title}</h3>'
        '<button type="button" class="pywry-btn pywry-btn-ghost pywry-modal-close"'
        ' aria-label="Close">\u00d7</button></div>'
        f'<div class="pywry-modal-body">{items}</div></div></div>{_user_script(modal.script)}'
    )
