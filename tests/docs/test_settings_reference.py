"""docs/settings-reference.md is what the settings structs say now, and every setting has a
description."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from pywry.app.settings import ServerSettings, Settings
from pywry.app.settings_reference import descriptions, render

PAGE = Path(__file__).resolve().parents[2] / "docs" / "settings-reference.md"


def test_the_checked_in_page_is_the_generated_one() -> None:
    assert PAGE.read_text(encoding="utf-8") == render(), (
        "docs/settings-reference.md is stale: run"
        " `python -m pywry.app.settings_reference docs/settings-reference.md`"
    )


def test_every_key_appears_with_its_variable_and_default() -> None:
    page = render()
    for section in ("server", "window", "deploy", "log", "theme"):
        struct = type(getattr(Settings(), section))
        for name in struct.__struct_fields__:
            assert f"`PYWRY_{section.upper()}__{name.upper()}`" in page, name
    assert "| `port` | `PYWRY_SERVER__PORT` | `int (0 to 65535)` | `8765` |" in page
    assert "`PYWRY_DEPLOY__ENABLED` `PYWRY_DEPLOY_MODE`" in page
    assert "| `headless` | `PYWRY_HEADLESS` | `bool` | `false` |" in page


def test_each_description_is_the_fields_comment() -> None:
    notes = descriptions(ServerSettings)
    assert notes["port"] == "0 picks a free port"
    assert notes["allowed_hosts"] == "extra Host names answered; '*' turns the check off"


class Undocumented(msgspec.Struct):
    documented: int = 1  # has a description
    bare: int = 2


def test_a_field_without_a_description_is_refused_by_name() -> None:
    with pytest.raises(
        ValueError, match="Undocumented has fields without a description comment: bare"
    ):
        descriptions(Undocumented)
