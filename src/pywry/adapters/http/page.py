"""Rendering a widget's page: its HTML plus the bridge script and a small per-page config."""

from __future__ import annotations

import html as html_lib
import re

import msgspec

from ...domain.events import EVENT_NAME_PATTERN
from ...domain.protocol import Close, Routes
from ...domain.widget import Widget

__all__ = ["render_not_found", "render_page"]

# A byte order mark may lead a document read from a file; the page's bridge skips it too.
_DOCUMENT = re.compile(
    r"^\ufeff?\s*(?:<!--.*?-->\s*)*(?:<!doctype\b|<html\b)", re.IGNORECASE | re.DOTALL
)
_DOCTYPE = re.compile(r"^\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype\b[^>]*>", re.IGNORECASE | re.DOTALL)
# A tag's attributes, quoted values included (a ">" inside quotes does not end the tag).
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# Where the bridge goes in a whole document: the first real <head> (or <html>, or <body>)
# tag, never one written inside a comment, an attribute value, or the text of a script,
# style, title or textarea. Every other tag is matched too, so its attributes are skipped.
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    rf"|<(script|style|title|textarea)(?=[\s/>]){_ATTRS}>.*?(?:</\1\s*>|\Z)"
    rf"|<(head|html|body)(?=[\s/>]){_ATTRS}>"
    rf"|<[a-zA-Z][^\s/>]*{_ATTRS}>",
    re.IGNORECASE | re.DOTALL,
)
_encoder = msgspec.json.Encoder()

_BASE_STYLE = (
    "<style>:root{color-scheme:light dark}"
    "html[data-theme=dark]{color-scheme:dark;background:#1e1e1e;color:#ddd}"
    "html[data-theme=light]{color-scheme:light;background:#fff;color:#222}"
    "body{font-family:system-ui,sans-serif;margin:0;padding:8px}</style>"
)


# The close codes the page acts on, by the names bridge.js reads them under.
_CLOSE_CODES = {
    "auth": Close.AUTH,
    "goingAway": Close.GOING_AWAY,
    "policy": Close.POLICY,
    "tooBig": Close.TOO_BIG,
    "resync": Close.RESYNC,
}


def _config_script(
    widget: Widget,
    *,
    since: int,
    content_seq: int,
    routes: Routes,
    theme: str,
    debug: bool,
    epoch: str,
) -> str:
    label = widget.label
    config = {
        "label": label,
        "token": widget.token.reveal(),
        "ws": routes.socket(label),
        "disconnect": routes.disconnect(label),
        "since": since,
        "epoch": epoch,
        "contentSeq": content_seq,
        "revision": widget.revision,
        "theme": theme,
        "debug": debug,
        "close": {name: int(code) for name, code in _CLOSE_CODES.items()},
        "eventName": EVENT_NAME_PATTERN.pattern,
    }
    # Escape '<' so that no value can close the script element early.
    payload = _encoder.encode(config).decode().replace("<", "\\u003c")
    return f'<script id="pywry-config" type="application/json">{payload}</script>'


def render_page(
    widget: Widget,
    *,
    since: int,
    routes: Routes,
    script_src: str,
    content_seq: int = 0,
    theme: str = "dark",
    debug: bool = False,
    epoch: str = "",
) -> str:
    """The page for ``widget``: a whole document stays whole, a fragment gets one around it."""
    theme_attr = html_lib.escape(theme, quote=True)
    head = (
        _config_script(
            widget,
            since=since,
            content_seq=content_seq,
            routes=routes,
            theme=theme,
            debug=debug,
            epoch=epoch,
        )
        + f'<script src="{html_lib.escape(script_src, quote=True)}"></script>'
    )
    content = widget.html
    if _DOCUMENT.match(content):
        return _into_document(content, head)
    title = html_lib.escape(widget.title)
    return (
        f'<!DOCTYPE html><html lang="en" data-theme="{theme_attr}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>{_BASE_STYLE}{head}</head>"
        f'<body><div id="pywry-root">{content}</div></body></html>'
    )


def render_not_found(label: str) -> str:
    """A plain page saying which widget is not here (the label escaped)."""
    safe = html_lib.escape(label)
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Widget not found</title>'
        f"{_BASE_STYLE}</head><body><h1>Widget not found</h1><p>No widget named "
        f"<code>{safe}</code> is shown on this server. It may have been closed, or the script "
        "that showed it has stopped.</p></body></html>"
    )


def _into_document(content: str, head: str) -> str:
    html_end = None
    for match in _MARKUP.finditer(content):
        tag = (match.group(2) or "").lower()
        if tag == "head":
            return content[: match.end()] + head + content[match.end() :]
        if tag == "html":
            html_end = match.end()
        elif tag == "body":
            break  # no head before the body: one goes in front of it
    if html_end is None:
        doctype = _DOCTYPE.match(content)  # before it, the bridge would put quirks mode on
        html_end = doctype.end() if doctype is not None else 0
    return content[:html_end] + "<head>" + head + "</head>" + content[html_end:]
