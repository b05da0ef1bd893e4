"""Where a widget's toolbars and modals go around its content.

Drawing them (:func:`draw_components`) and laying content out inside them
(:func:`surround`) are two steps, so that the widget keeps what was drawn: new content
(``handle.update()``) is laid out inside the same toolbars and modals.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ...domain.components import walk
from ...domain.inputs import SecretInput
from ...domain.toolbars import Modal, Toolbar
from ...domain.widget import Surround
from .components import assets, render_modal, render_toolbar

__all__ = ["draw_components", "surround", "with_components"]

_BODY_START = re.compile(r"<body\b[^>]*>", re.IGNORECASE)
_BODY_END = re.compile(r"</body\s*>", re.IGNORECASE)


def draw_components(toolbars: Sequence[Toolbar], modals: Sequence[Modal]) -> Surround | None:
    """The toolbars and modals as HTML by place, with the sheet and script they need."""
    if not toolbars and not modals:
        return None
    by_place: dict[str, str] = {}
    for toolbar in toolbars:
        by_place[toolbar.position] = by_place.get(toolbar.position, "") + render_toolbar(toolbar)
    items = walk(item for bar in [*toolbars, *modals] for item in bar.items)

    def at(*places: str) -> str:
        return "".join(by_place.get(place, "") for place in places)

    return Surround(
        above=at("header", "top"),
        left=at("left"),
        inside=at("inside"),
        right=at("right"),
        below=at("bottom", "footer"),
        modals="".join(render_modal(modal) for modal in modals),
        # Only a page with a SecretInput needs its script.
        assets=assets(secrets=any(isinstance(item, SecretInput) for item in items)),
    )


def surround(content: str, drawn: Surround) -> str:
    """``content`` inside the drawn toolbars, followed by the modals and the assets."""
    start, end = _BODY_START.search(content), _BODY_END.search(content)
    tail = drawn.modals + drawn.assets
    if start is not None and end is not None and start.end() <= end.start():
        # A whole document keeps its own layout: the bars go first, the modals last.
        bars = drawn.above + drawn.left + drawn.right + drawn.inside + drawn.below
        at, close = start.end(), end.start()
        return content[:at] + bars + content[at:close] + tail + content[close:]
    return (
        f'<div class="pywry-layout">{drawn.above}<div class="pywry-layout-middle">'
        f'{drawn.left}<div class="pywry-content">{drawn.inside}{content}</div>{drawn.right}'
        f"</div>{drawn.below}</div>{tail}"
    )


def with_components(content: str, toolbars: Sequence[Toolbar], modals: Sequence[Modal]) -> str:
    """``content`` with its toolbars around it and its modals, plus the sheet and script."""
    drawn = draw_components(toolbars, modals)
    return content if drawn is None else surround(content, drawn)
