"""Running the release's samples as scripts, for the tests in Chromium that check them.

Each file under ``release_samples/`` is a sample from the release's documentation, kept as
written apart from its imports and the ``app.block()`` it leaves out. A test runs the file's
code as a script runs it (``runpy.run_path``, in this process, on a free port and with no
browser), opens each widget the script showed in headless Chromium, and checks what the page
shows and what interacting with it sends back.
"""

from __future__ import annotations

import inspect
import runpy
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pywry import PyWry, PyWryCompatibilityWarning

__all__ = [
    "DOC_SAMPLES",
    "SAMPLES",
    "Check",
    "Sample",
    "sample_files",
    "sample_runner",
    "text_of",
    "wait_body_says",
    "wait_text",
]

SAMPLES = Path(__file__).resolve().parent / "release_samples"
# The samples of the release's README, quickstart, toolbar and modal pages; the others are
# those of its pages on each component.
DOC_SAMPLES = ("readme_", "quickstart_", "toolbar_", "modal_")


def sample_files(*, docs: bool) -> list[str]:
    """The names of the sample files of the documentation pages, or of the component pages."""
    return sorted(p.name for p in SAMPLES.glob("*.py") if p.name.startswith(DOC_SAMPLES) == docs)


class Sample:
    """A sample's namespace after it ran, with its app and the URL of each widget it showed."""

    def __init__(self, namespace: dict[str, Any], path: Path) -> None:
        # run_path returns a copy of the script's globals; its functions see the live ones.
        self.namespace = next(
            (
                value.__globals__
                for value in namespace.values()
                if inspect.isfunction(value) and value.__globals__.get("__file__") == str(path)
            ),
            namespace,
        )
        apps = [value for value in namespace.values() if isinstance(value, PyWry)]
        assert len(apps) == 1, f"the sample should make one PyWry app, made {len(apps)}"
        self.app: PyWry = apps[0]
        self.labels = self.app.get_labels()
        assert self.labels, "the sample showed no widget"
        self.urls = [self.app.get_widget_url(label) for label in self.labels]

    @property
    def url(self) -> str:
        assert len(self.urls) == 1, f"the sample showed {len(self.urls)} widgets"
        return self.urls[0]


Check = Callable[[Callable[..., Sample], Any, str], None]


def sample_runner(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Sample]]:
    """For a fixture: run a sample file as a script (no port 8765, no browser); its app is
    destroyed after."""
    monkeypatch.setenv("PYWRY_SERVER__PORT", "0")
    monkeypatch.setenv("PYWRY_HEADLESS", "1")
    monkeypatch.setenv("PYWRY_SERVER__RECONNECT_GRACE", "0.3")
    ran: list[Sample] = []

    def run(name: str, **given: Any) -> Sample:
        path = SAMPLES / name
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            namespace = runpy.run_path(str(path), init_globals=given, run_name="__main__")
        # Nothing in these samples is outside what pywry does: not one compatibility warning.
        assert [str(w.message) for w in caught if w.category is PyWryCompatibilityWarning] == []
        sample = Sample(namespace, path)
        ran.append(sample)
        return sample

    yield run
    for sample in ran:
        sample.app.destroy()


def text_of(page: Any, selector: str) -> str:
    return page.locator(selector).inner_text()


def wait_text(page: Any, selector: str, text: str) -> None:
    page.wait_for_function(
        "([s, t]) => { const e = document.querySelector(s); return !!e && e.textContent.trim() === t; }",
        arg=[selector, text],
    )


def wait_body_says(page: Any, text: str) -> None:
    page.wait_for_function("(t) => document.body.innerText.includes(t)", arg=text)
