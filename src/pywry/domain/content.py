"""``HtmlContent``: HTML with the CSS, scripts and data that go with it, as the release has it.

A value, checked when it is made: a wrong type or a file that is not there is an error at
the line that built it, not a page that comes up without its styles. Turning it into a
page's HTML (files read, everything escaped) is the app's, at ``show()`` time.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import InvalidArgumentError

__all__ = ["HtmlContent", "PathsLike", "check_file"]

# What css_files and script_files take: one path or several, as str or os.PathLike.
PathsLike = str | os.PathLike[str] | Iterable[str | os.PathLike[str]]

_URL_PREFIXES = ("http://", "https://", "//", "data:", "file:")


def check_file(field_name: str, path: Path) -> Path:
    """``path`` if it is a readable file (relative: from the current directory), else an
    error naming it, resolved, and saying what the field takes."""
    resolved = path if path.is_absolute() else Path.cwd() / path
    if not resolved.is_file():
        what = "a directory" if resolved.is_dir() else "no file"
        raise InvalidArgumentError(
            f"HtmlContent {field_name}: {what} at {resolved} (given as {str(path)!r}; a"
            " relative path is read from the current directory)"
        )
    return resolved


def _paths(field_name: str, value: object) -> tuple[Path, ...]:
    if value is None:
        return ()
    items: Iterable[object]
    if isinstance(value, (str, os.PathLike)):
        items = [value]  # one path alone is a list of one, as the release takes it
    elif isinstance(value, Iterable) and not isinstance(value, (bytes, Mapping)):
        items = value
    else:
        raise InvalidArgumentError(
            f"HtmlContent takes {field_name} as a list of file paths (str or Path),"
            f" got {type(value).__name__}"
        )
    paths = []
    for item in items:
        if not isinstance(item, (str, os.PathLike)):
            raise InvalidArgumentError(
                f"HtmlContent takes {field_name} as file paths (str or Path), got"
                f" {type(item).__name__} {item!r}"
            )
        text = os.fspath(item)
        if not isinstance(text, str):
            raise InvalidArgumentError(f"HtmlContent {field_name}: {item!r} is not a text path")
        if text.lower().startswith(_URL_PREFIXES):
            kind = "stylesheet" if field_name == "css_files" else "script"
            tag = '<link rel="stylesheet" href=...>' if kind == "stylesheet" else "<script src=...>"
            raise InvalidArgumentError(
                f"HtmlContent {field_name} takes local files, read and put in the page;"
                f" {text!r} is an address: load that {kind} with {tag} in the html"
            )
        path = Path(text)
        check_file(field_name, path)
        paths.append(path)
    return tuple(paths)


def _text(field_name: str, value: object, *, optional: bool = True) -> None:
    if (value is None and optional) or isinstance(value, str):
        return
    kind = "a string or None" if optional else "a string"
    raise InvalidArgumentError(
        f"HtmlContent takes {field_name} as {kind}, got {type(value).__name__}"
    )


@dataclass(frozen=True, init=False)
class HtmlContent:
    """HTML with what goes with it; ``show()`` and ``update_content()`` take it.

    Args:
        html: A fragment or a whole document.
        json_data: A dict the page's scripts read as ``window.json_data``.
        init_script: JavaScript run once the page's bridge has connected, after the
            content's scripts (``window.pywry`` and ``window.json_data`` are there).
        css_files: Local CSS files (one path or a list), read at ``show()`` and put in
            the page in ``<style>`` tags, in order; relative paths are read from the current
            directory.
        script_files: Local JavaScript files, likewise, run in order before ``init_script``.
        inline_css: CSS put in the page before ``css_files``.
        watch: The release's hot reload, which pywry does not have: ``show()`` warns.

    Raises:
        InvalidArgumentError: A field of the wrong type, a file that is not there, or an
            address where a local file is wanted.
    """

    html: str
    json_data: Mapping[str, Any] | None = field(default=None, hash=False)
    init_script: str | None = None
    css_files: tuple[Path, ...] = ()
    script_files: tuple[Path, ...] = ()
    inline_css: str | None = None
    watch: bool = False

    def __init__(
        self,
        html: str,
        *,
        json_data: Mapping[str, Any] | None = None,
        init_script: str | None = None,
        css_files: PathsLike | None = None,
        script_files: PathsLike | None = None,
        inline_css: str | None = None,
        watch: bool = False,
    ) -> None:
        _text("html", html, optional=False)
        _text("init_script", init_script)
        _text("inline_css", inline_css)
        if not isinstance(watch, bool):
            raise InvalidArgumentError(
                f"HtmlContent takes watch as True or False, got {type(watch).__name__}"
            )
        if json_data is not None:
            if not isinstance(json_data, Mapping):
                raise InvalidArgumentError(
                    "HtmlContent takes json_data as a dict (the page reads it as"
                    f" window.json_data), got {type(json_data).__name__}"
                )
            bad = next((k for k in json_data if not isinstance(k, str)), None)
            if bad is not None:
                raise InvalidArgumentError(
                    f"HtmlContent json_data: keys must be strings (JSON's), got {bad!r}"
                )
        # Frozen: the fields are set once, here, after every check has passed.
        values = {
            "html": html,
            "json_data": json_data,
            "init_script": init_script,
            "css_files": _paths("css_files", css_files),
            "script_files": _paths("script_files", script_files),
            "inline_css": inline_css,
            "watch": watch,
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
