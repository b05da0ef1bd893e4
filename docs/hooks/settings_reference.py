"""mkdocs hook: the settings reference page is written from the settings structs at every
build, so the site shows the code's settings even if the checked-in page were stale (a test
keeps that page current too, for readers of the repository)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

# This checkout's pywry, not whichever one the build's environment has installed.
SRC = Path(__file__).resolve().parents[2] / "src"


def on_page_markdown(markdown: str, page: Any, **_: Any) -> str:
    if page.file.src_uri != "settings-reference.md":
        return markdown
    if str(SRC) not in sys.path:
        sys.path.insert(0, str(SRC))
    from pywry.app.settings_reference import render

    return render()
