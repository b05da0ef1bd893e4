"""A :class:`~pywry.domain.inputs.SecretInput` as HTML: a mask and its buttons.

The secret itself is never written into the page: the eye and copy buttons ask Python for
it (the page script's ``{event}:reveal`` and ``{event}:copy`` calls), as in the release.
"""

from __future__ import annotations

from html import escape

from ...domain.inputs import SecretInput
from .components import _attr, _common

__all__ = ["render_secret"]

# The release's mask: as many dots whatever the secret's length, so the length is not told.
_MASK = "\u2022" * 12
_ICON = (
    '<svg width="14" height="14" viewBox="0 0 24 24" fill="none" stroke="currentColor"'
    ' stroke-width="2" stroke-linecap="round" stroke-linejoin="round">{}</svg>'
)
_SECRET_BUTTONS = {
    "edit": ("Edit value", '<path d="M12 20h9"/><path d="M16.5 3.5l4 4L8 20H4v-4z"/>'),
    "copy": (
        "Copy to clipboard",
        '<rect x="9" y="9" width="13" height="13" rx="2"/>'
        '<path d="M5 15H4a2 2 0 0 1-2-2V4a2 2 0 0 1 2-2h9a2 2 0 0 1 2 2v1"/>',
    ),
    "toggle": (
        "Show value",
        '<path d="M1 12s4-8 11-8 11 8 11 8-4 8-11 8-11-8-11-8z"/><circle cx="12" cy="12" r="3"/>',
    ),
}


def render_secret(item: SecretInput) -> str:
    """The mask only: the value stays in Python until a reveal or copy asks for it."""
    has = item.has_value
    shown = {"edit": True, "copy": item.show_copy, "toggle": item.show_toggle}
    off = " disabled" if item.disabled else ""
    buttons = "".join(
        f'<button type="button" class="pywry-secret-btn pywry-secret-{name}"'
        f' data-secret="{name}" title="{tip}" aria-label="{tip}"{off}>{_ICON.format(icon)}</button>'
        for name, (tip, icon) in _SECRET_BUTTONS.items()
        if shown[name]
    )
    control = (
        f'<input type="password" {_common(item, "pywry-input pywry-input-secret")}'
        f' value="{_MASK if has else ""}" data-has-value="{str(has).lower()}"'
        f' data-masked="{str(has).lower()}" placeholder="{_attr(item.placeholder)}"'
        f' autocomplete="off" spellcheck="false" readonly>'
    )
    wrapper = (
        f'<span class="pywry-secret-wrapper">{control}'
        f'<span class="pywry-secret-actions">{buttons}</span></span>'
    )
    if not item.label:
        return wrapper
    # A <label> of its own: one around the wrapper would take in the buttons too.
    label = f'<label for="{_attr(item.component_id)}">{escape(item.label)}</label>'
    return f'<span class="pywry-field">{label}{wrapper}</span>'
