"""What ``show()`` puts in a widget: a string, or an ``HtmlContent`` assembled into one.

The one place that turns :class:`~pywry.domain.content.HtmlContent` into HTML, at
``show()`` time (its files are read then). The order is the release's: ``inline_css``,
then each of ``css_files``; ``window.json_data``; each of ``script_files``; the content;
then ``initialization_script`` and ``init_script``, run once the page's bridge has
connected (never again on a reconnect). A fragment gets them around it, inside the widget's
root, so an update in place swaps them with the content; a whole document gets them at the
end of its head, after the page's bridge, which the renderer puts at its start.

Nothing user-supplied can end its element early: CSS has ``</style`` escaped, and
JavaScript and JSON travel as JSON strings with ``<`` escaped, each run by a small loader.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import msgspec

from ..domain.content import HtmlContent, check_file
from ..domain.errors import InvalidArgumentError
from .compat import warn_ignored

__all__ = ["assemble", "content_html"]


def _enc_hook(obj: Any) -> Any:
    # Arrays and scalars of numerical libraries, as the release's encoder took them.
    tolist = getattr(obj, "tolist", None)
    if callable(tolist):
        return tolist()
    raise NotImplementedError(f"{type(obj).__name__} is not JSON")


_encoder = msgspec.json.Encoder(enc_hook=_enc_hook)

# The same rule as the page renderer's: a document may lead with a byte order mark and
# comments before its doctype or <html>.
_DOCUMENT = re.compile(
    r"^\ufeff?\s*(?:<!--.*?-->\s*)*(?:<!doctype\b|<html\b)", re.IGNORECASE | re.DOTALL
)
_DOCTYPE = re.compile(r"^\ufeff?\s*(?:<!--.*?-->\s*)*<!doctype\b[^>]*>", re.IGNORECASE | re.DOTALL)
_ATTRS = r"""(?:[^>"']|"[^"]*"|'[^']*')*"""
# Tags that matter for where the head's end is, never one inside a comment, an attribute
# value, or the text of a script, style, title or textarea (those are matched whole).
_MARKUP = re.compile(
    r"<!--.*?(?:-->|\Z)"
    rf"|<(script|style|title|textarea)(?=[\s/>]){_ATTRS}>.*?(?:</\1\s*>|\Z)"
    rf"|<(/?)(head|html|body)(?=[\s/>]){_ATTRS}>"
    rf"|<[a-zA-Z][^\s/>]*{_ATTRS}>",
    re.IGNORECASE | re.DOTALL,
)
_END_STYLE = re.compile(r"</(style)", re.IGNORECASE)
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")
_NAME_UNSAFE = re.compile(r"[^\w.-]+")

# Runs one piece of JavaScript as a script of the page's own, in the global scope (its
# functions and vars are the page's, as in a <script> tag), here and now.
_RUN = (
    "<script>(function(c){{var s=document.createElement('script');s.text=c;"
    "document.head.appendChild(s).remove()}})({code})</script>"
)
# Runs the init scripts once the bridge has connected (once only: never on a reconnect)
# and the document is parsed; at once in a page without the bridge.
_INIT = (
    "<script>(function(c){{function run(){{for(var i=0;i<c.length;i++){{"
    "var s=document.createElement('script');s.text=c[i];document.head.appendChild(s).remove()}}}}"
    "function parsed(){{if(document.readyState==='loading')"
    "document.addEventListener('DOMContentLoaded',run);else run()}}"
    "var b=window.pywry;if(b&&b._afterConnect)b._afterConnect(parsed);else parsed()}})"
    "({codes})</script>"
)


def content_html(where: str, content: object, initialization_script: object = None) -> str:
    """The HTML a widget shows for ``content``: a string as it is, an :class:`HtmlContent`
    assembled (its ``watch`` warned about); ``InvalidArgumentError`` for anything else."""
    if initialization_script is not None and not isinstance(initialization_script, str):
        raise InvalidArgumentError(
            f"{where} takes initialization_script as JavaScript in a string, got"
            f" {type(initialization_script).__name__}"
        )
    if isinstance(content, HtmlContent):
        if content.watch:
            warn_ignored(f"{where} ignores HtmlContent(watch=True)", "watch")
        return assemble(content, initialization_script=initialization_script)
    if not isinstance(content, str):
        raise InvalidArgumentError(
            f"{where} takes HTML as a string or an HtmlContent, got {type(content).__name__}"
        )
    if initialization_script:
        return assemble(HtmlContent(content), initialization_script=initialization_script)
    return content


def assemble(content: HtmlContent, *, initialization_script: str | None = None) -> str:
    """``content`` as the HTML of one widget: its files read now, everything escaped.

    Raises:
        InvalidArgumentError: A file gone since the ``HtmlContent`` was made, or not
            UTF-8 text; ``json_data`` that JSON cannot carry.
    """
    head: list[str] = []
    if content.inline_css:
        head.append(_style("pywry-inline-css", content.inline_css))
    for path in content.css_files:
        css = _read("css_files", path)
        digest = hashlib.sha256(css.encode()).hexdigest()[:8]
        stem = _ID_UNSAFE.sub("-", path.stem).strip("-") or "file"
        head.append(_style(f"pywry-css-{stem}-{digest}", css))
    if content.json_data is not None:
        head.append(f"<script>window.json_data = {_json_data(content.json_data)};</script>")
    for path in content.script_files:
        code = _read("script_files", path)
        head.append(_RUN.format(code=_js_string(_named(code, path.name))))
    inits = [
        _named(code, name)
        for code, name in (
            (initialization_script, "initialization_script"),
            (content.init_script, "init_script"),
        )
        if code
    ]
    tail = _INIT.format(codes=_js_list(inits)) if inits else ""
    html = content.html
    if not _DOCUMENT.match(html):
        return "".join(head) + html + tail
    at = _head_end(html)
    return html[:at] + "".join(head) + tail + html[at:]


def _read(field_name: str, path: Path) -> str:
    resolved = check_file(field_name, path)  # gone since: the same error, naming it
    try:
        return resolved.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidArgumentError(
            f"HtmlContent {field_name}: {resolved} is not UTF-8 text ({exc.reason})"
        ) from None
    except OSError as exc:
        raise InvalidArgumentError(
            f"HtmlContent {field_name}: cannot read {resolved}: {exc.strerror}"
        ) from None


def _style(element_id: str, css: str) -> str:
    # "</style" is the only way out of a style element; "<\/style" means the same in CSS
    # (inside a string or a comment, the only places CSS can hold it).
    safe = _END_STYLE.sub(r"<\\/\1", css)
    return f'<style id="{element_id}">{safe}</style>'


def _json_data(data: Any) -> str:
    try:
        encoded = _encoder.encode(data).decode()
    except (TypeError, msgspec.EncodeError, OverflowError, NotImplementedError) as exc:
        raise InvalidArgumentError(
            f"HtmlContent json_data cannot be sent as JSON: {exc} (use dicts, lists,"
            " strings, numbers, booleans and None)"
        ) from None
    return _no_tags(encoded)


def _no_tags(encoded_json: str) -> str:
    # "<" only ever appears inside JSON strings, where \u003c is the same character.
    return encoded_json.replace("<", "\\u003c")


def _js_string(code: str) -> str:
    return _no_tags(_encoder.encode(code).decode())


def _js_list(codes: list[str]) -> str:
    return _no_tags(_encoder.encode(codes).decode())


def _named(code: str, name: str) -> str:
    # Named in the browser's developer tools and error messages as the file it came from.
    return f"{code}\n//# sourceURL={_NAME_UNSAFE.sub('_', name)}"


def _head_end(document: str) -> int:
    """Where the content's parts go in a whole document: before its ``</head>``; else
    before its ``<body>``; else after its ``<head>``, ``<html>`` or doctype (where the
    renderer puts the bridge, which then comes first)."""
    opened = None
    for match in _MARKUP.finditer(document):
        closing, tag = match.group(2), (match.group(3) or "").lower()
        if tag == "head" and closing:
            return match.start()
        if tag == "body" and not closing:
            return match.start()
        if tag in ("head", "html") and not closing and (opened is None or tag == "head"):
            opened = match.end()
    if opened is not None:
        return opened
    doctype = _DOCTYPE.match(document)
    return doctype.end() if doctype is not None else 0
