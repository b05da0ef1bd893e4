"""``pywry config``: the effective settings and the layer each one came from."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any, TextIO

from .common import Exit, add_command

if TYPE_CHECKING:
    from ..app.settings_report import SettingsReport

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    config = add_command(
        commands,
        "config",
        summary="show the effective settings and where each one came from",
        description=(
            "Print every setting pywry would use if started here, and its source: the\n"
            "default, pyproject.toml [tool.pywry], ./pywry.toml, the user config file or a\n"
            "PYWRY_* environment variable (a later one wins, key by key). Passwords, tokens\n"
            "and other secrets are shown as ********; a URL's password too."
        ),
        epilog="exit codes: 0 done, 1 a setting is bad (the message names it and its source)",
    )
    config.add_argument(
        "--json", action="store_true", help="print JSON: {settings: {key: {...}}, files: [...]}"
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..app.settings_report import report_settings

    report = report_settings()
    out.write(_as_json(report) if args.json else _as_text(report))
    return Exit.OK


def _as_json(report: SettingsReport) -> str:
    data = {
        "settings": {
            item.key: {
                "value": item.value,
                "source": item.origin.value,
                "from": item.where or None,
                "secret": item.secret,
            }
            for item in report.settings
        },
        "files": [
            {"source": f.origin.value, "path": f.path, "exists": f.exists} for f in report.files
        ],
    }
    return json.dumps(data, indent=2) + "\n"


def _as_text(report: SettingsReport) -> str:
    lines = ["files (a later one wins):"]
    width = max(len(f.origin.value) for f in report.files)
    for f in report.files:
        lines.append(f"  {f.origin.value:<{width}}  {f.path}{'' if f.exists else '  (not found)'}")
    rows: list[tuple[str, str, str]] = []
    section = None
    for item in report.settings:
        head, _, name = item.key.rpartition(".")
        if head != section:
            section = head
            rows.append(("", "", ""))
            if head:
                rows.append((f"[{head}]", "", ""))
        source = item.origin.value + (f" {item.where}" if item.where else "")
        rows.append((f"{name} = {json.dumps(item.value)}", source, ""))
    width = max(len(text) for text, source, _ in rows if source)
    for text, source, _ in rows:
        lines.append(f"{text:<{width}}  # {source}" if source else text)
    return "\n".join(lines) + "\n"
