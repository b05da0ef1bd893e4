"""Rendering a widget's page: its HTML plus the bridge script and a small per-page config."""

from __future__ import annotations

import html as html_lib
import re

import msgspec

from ..._version import __version__
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

# The theme contract user CSS is written against, with the release's variable names and
# default values. Every rule is inside :where() so that any rule of the user's wins, even
# ":root" or "html" written before this sheet. The theme values are set on <html> (and on an
# element the user marks .pywry-theme-*), never again on the .pywry-widget wrapper: a user's
# ":root{--pywry-bg-primary:...}" then reaches the content too.
_THEME_VARS = (
    ":where(:root){--pywry-font-family:Inter,-apple-system,BlinkMacSystemFont,'Segoe UI',"
    "sans-serif;--pywry-font-size:14px;--pywry-font-weight-normal:400;"
    "--pywry-font-weight-medium:500;--pywry-font-mono:'Cascadia Code','Fira Code',Consolas,"
    "monospace;--pywry-radius:4px;--pywry-radius-lg:6px;--pywry-spacing-xs:2px;"
    "--pywry-spacing-sm:4px;--pywry-spacing-md:6px;--pywry-spacing-lg:8px;"
    "--pywry-transition-fast:.1s ease;--pywry-transition-normal:.2s ease;"
    "--pywry-accent:#0078d4;--pywry-accent-hover:#106ebe;--pywry-text-accent:#33bbff}"
    ":where(:root,.pywry-theme-dark:not(.pywry-widget)){color-scheme:dark;"
    "--pywry-bg-primary:#212124;--pywry-bg-secondary:#151518;--pywry-bg-tertiary:#1f1e23;"
    "--pywry-bg-quartary:#24242a;--pywry-bg-hover:rgba(255,255,255,.08);"
    "--pywry-bg-overlay:rgba(30,30,30,.8);--pywry-text-primary:#ebebed;"
    "--pywry-text-secondary:#a0a0a0;--pywry-text-muted:#707070;--pywry-border-color:#333;"
    "--pywry-border-focus:#555}"
    ":where(html.light,.pywry-theme-light:not(.pywry-widget)){color-scheme:light;"
    "--pywry-bg-primary:#f5f5f5;--pywry-bg-secondary:#fff;--pywry-bg-tertiary:#ebebef;"
    "--pywry-bg-quartary:#e2e2e8;--pywry-bg-hover:rgba(0,0,0,.06);"
    "--pywry-bg-overlay:rgba(255,255,255,.8);--pywry-text-primary:#000;"
    "--pywry-text-secondary:#666;--pywry-text-muted:#999;--pywry-border-color:#ccc;"
    "--pywry-border-focus:#999}"
)
# A whole document keeps its own look: it gets the variables only. A fragment's page is
# pywry's own, drawn with them.
_VARS_STYLE = f'<style id="pywry-theme">{_THEME_VARS}</style>'
_BASE_STYLE = (
    f'<style id="pywry-theme">{_THEME_VARS}'
    ":where(html){background:var(--pywry-bg-primary);color:var(--pywry-text-primary)}"
    ":where(body){font-family:var(--pywry-font-family);margin:0;padding:8px}</style>"
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
        "version": __version__,
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
    """The page for ``widget``: a whole document stays whole, a fragment gets one around it.

    ``theme`` is the app's; a widget switched to another one since comes up in that one.
    """
    theme = widget.theme or theme
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
        # The bridge sets the theme's classes on the document's own <html> and <body>.
        return _into_document(content, head + _VARS_STYLE)
    title = html_lib.escape(widget.title)
    # Set here as well as by the bridge, so the first paint already has them; "system" is
    # resolved in the page (only it knows the preference), before the body is drawn.
    marker = f"pywry-theme-{theme_attr}"
    root_classes = marker if theme == "system" else f"{theme_attr} {marker}"
    return (
        f'<!DOCTYPE html><html lang="en" data-theme="{theme_attr}" class="{root_classes}">'
        '<head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title>{_BASE_STYLE}{head}</head>"
        f'<body><div id="pywry-root" class="pywry-widget {marker}">{content}</div></body></html>'
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
