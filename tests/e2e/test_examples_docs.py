"""Every example says what it shows and how to run it, and docs/examples.md covers each."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from example_scripts import EXAMPLES, ROOT

SCRIPTS = sorted(
    path for path in EXAMPLES.rglob("*.py") if not path.name.startswith(("test_", "_"))
)


def test_the_examples_are_all_here():
    names = {path.relative_to(EXAMPLES).as_posix() for path in SCRIPTS}
    assert names >= {
        "hello.py",
        "callbacks.py",
        "multiple_widgets.py",
        "https_dev_cert.py",
        "live_dashboard.py",
        "binary_image.py",
        "request_response.py",
        "embed_litestar.py",
        "deploy_app.py",
        "toolbar_dashboard.py",
        "testing/counter_widget.py",
    }


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_each_example_says_what_it_shows_and_how_to_run_it(path: Path):
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
    assert doc, f"{path.name} has no docstring"
    assert len(doc.splitlines()[0]) > 20, "the first line says what it shows"
    assert f"python examples/{path.relative_to(EXAMPLES).as_posix()}" in doc


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.relative_to(EXAMPLES).as_posix())
def test_the_examples_page_covers_each_example(path: Path):
    page = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    assert f"examples/{path.relative_to(EXAMPLES).as_posix()}" in page
