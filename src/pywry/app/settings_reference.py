"""The settings reference page (``docs/settings-reference.md``), written from the settings
structs themselves so that it cannot drift from them.

Each key's type and default come from its field, its environment variable from the rule
:func:`~pywry.app.settings_sources.env_entries` reads (``PYWRY_<SECTION>__<KEY>``), what it
accepts from the check :class:`~pywry.app.settings_sources.Schema` makes, and its description
from the comment after the field in ``settings.py`` (continued on the ``#`` lines right
below it). A field without such a comment is an error here, so a new setting cannot go
undocumented. ``python -m pywry.app.settings_reference docs/settings-reference.md`` rewrites
the page; the documentation build and a test regenerate it to compare.
"""

from __future__ import annotations

import inspect
import json
import re
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec

from .settings import Settings
from .settings_rules import RULES
from .settings_sources import _ENV_ALIASES, _field

__all__ = ["descriptions", "render"]

_FIELD = re.compile(r"^    (\w+): [^#]*?(?:  # (.*))?$")
_MORE = re.compile(r"^    # (.*)$")
_MIB = 1024 * 1024

_INTRO = """\
# Settings reference

<!-- Generated from src/pywry/app/settings.py by src/pywry/app/settings_reference.py:
do not edit; run `python -m pywry.app.settings_reference docs/settings-reference.md`. -->

Every key of every section: the environment variable that sets it, its type, its default and
what it is for. This page is generated from the settings structs at each documentation build,
so it is always the code's. How the layers combine (files, variables, `PyWry(settings=...)`),
what a bad value says, and the longer story of each key are in [settings.md](settings.md); the
release's section names that pywry accepts are listed there too.

A key `port` of section `server` is `port = 0` under `[server]` in `pywry.toml`, under
`[tool.pywry.server]` in `pyproject.toml`, `PYWRY_SERVER__PORT=0` in the environment and
`PyWry(settings={"server": {"port": 0}})` in code. Booleans in variables take
`1/0/true/false/yes/no/on/off`; lists a JSON list or commas; optional values `none`.
"""


def descriptions(struct: type[msgspec.Struct]) -> dict[str, str]:
    """Each field of ``struct`` and the comment that describes it in the source."""
    found: dict[str, str] = {}
    last: str | None = None
    for line in inspect.getsource(struct).splitlines():
        more = _MORE.match(line)
        if more and last is not None:
            found[last] += " " + more.group(1)
            continue
        match = _FIELD.match(line)
        last = None
        if match and match.group(2):
            last = match.group(1)
            found[last] = match.group(2)
    missing = [name for name in struct.__struct_fields__ if name not in found]
    if missing:
        raise ValueError(
            f"{struct.__name__} has fields without a description comment: {', '.join(missing)};"
            " write one after each field, like `port: int = 8765  # 0 picks a free port`"
        )
    return {name: found[name] for name in struct.__struct_fields__}


def render() -> str:
    """The whole reference page, as Markdown."""
    parts = [_INTRO]
    sections = [f for f in msgspec.structs.fields(Settings) if _is_section(f.type)]
    top = [f for f in msgspec.structs.fields(Settings) if not _is_section(f.type)]
    for info in sections:
        struct = info.type
        parts.append(f"\n## `[{info.name}]`\n\n{_summary(struct)}\n\n")
        parts.append(_table(info.name, struct, list(msgspec.structs.fields(struct))))
    parts.append(
        "\n## Top level\n\nKeys outside any section (`headless = true` in `pywry.toml`).\n\n"
    )
    parts.append(_table(None, Settings, top))
    return "".join(parts)


def _is_section(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _summary(struct: type[msgspec.Struct]) -> str:
    """The first paragraph of the struct's docstring, its reST markup made Markdown."""
    first = inspect.cleandoc(struct.__doc__ or "").split("\n\n")[0]
    text = " ".join(first.split()).replace("``", "`")
    text = re.sub(r"^`\[\w+\]`:? ", "", re.sub(r":\w+:`~?([^`]+)`", r"`\1`", text))
    text = re.sub(r"^\((.*?)\):", r"\1:", text)  # "(the release's names): ..."
    return text[0].upper() + text[1:]


def _table(
    section: str | None, struct: type[msgspec.Struct], fields: list[msgspec.structs.FieldInfo]
) -> str:
    notes = descriptions(struct)
    rows = [
        "| Key | Environment variable | Type | Default | Description |",
        "|---|---|---|---|---|",
    ]
    for info in fields:
        dotted = info.name if section is None else f"{section}.{info.name}"
        spec = _field(dotted, info, RULES)
        text = notes[info.name].rstrip(".")
        text = text[0].upper() + text[1:] + "."
        if dotted in RULES:
            text += " Accepts " + spec.expected.replace("`", "\\`") + "."
        cells = [
            f"`{info.name}`",
            " ".join(f"`{name}`" for name in _variables(section, info.name)),
            f"`{_type_name(info.type)}`",
            _default(spec.default),
            text,
        ]
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(rows) + "\n"


def _variables(section: str | None, key: str) -> Iterator[str]:
    name = key.upper() if section is None else f"{section.upper()}__{key.upper()}"
    yield f"PYWRY_{name}"
    yield from (alias for alias, target in _ENV_ALIASES.items() if target == (section, key))


def _type_name(kind: Any) -> str:
    """``int >= 1``, ``str | None``, ``list[str]``: the annotation as a reader would write it."""
    origin = typing.get_origin(kind)
    if origin in (typing.Union, types.UnionType):
        return " | ".join(_type_name(arg) for arg in typing.get_args(kind))
    if origin is typing.Annotated:
        base, *extras = typing.get_args(kind)
        meta = next((m for m in extras if isinstance(m, msgspec.Meta)), msgspec.Meta())
        if meta.ge is not None and meta.le is not None:
            return f"{_type_name(base)} ({meta.ge} to {meta.le})"
        return _type_name(base) + (f" (>= {meta.ge})" if meta.ge is not None else "")
    if kind is type(None):
        return "None"
    if origin is list:
        return f"list[{_type_name(typing.get_args(kind)[0])}]"
    return str(getattr(kind, "__name__", kind))


def _default(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool | list):
        return f"`{json.dumps(value)}`"
    if isinstance(value, int) and value >= _MIB and value % _MIB == 0:
        return f"`{value}` ({value // _MIB} MiB)"
    return f"`{json.dumps(value) if isinstance(value, str) else value}`"


if __name__ == "__main__":  # pragma: no cover - the documentation's regeneration command
    Path(sys.argv[1]).write_text(render(), encoding="utf-8")
