"""Running the release's samples as scripts, for the tests in Chromium that check them.

Each file under ``release_samples/`` is a sample from the release's documentation, kept as
written apart from its imports and the ``app.block()`` it leaves out. A test runs the file's
code as a script runs it (``runpy.run_path``, in this process, on a free port and with no
browser), opens each widget the script showed in headless Chromium, and checks what the page
shows and what interacting with it sends back.

A test module holds a ``Check`` for each of its samples and takes its tests from
``sample_tests``; it imports ``run_sample_fixture``, which pytest finds there as the
``run_sample`` fixture those tests use.
"""

from __future__ import annotations

import functools
import inspect
import runpy
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from pywry import PyWry, PyWryCompatibilityWarning
from tabs import open_widget

__all__ = [
    "DOC_SAMPLES",
    "SAMPLES",
    "Check",
    "Run",
    "Sample",
    "opened",
    "run_sample_fixture",
    "sample_files",
    "sample_tests",
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


# Runs a check's sample; keyword arguments are globals given to it (names it uses undefined).
Run = Callable[..., Sample]
# A sample's check: given its Run and the page to open it in.
Check = Callable[[Run, Any], None]


@pytest.fixture(name="run_sample")
def run_sample_fixture(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Sample]]:
    """Run a sample file as a script (no port 8765, no browser); its app is destroyed after."""
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


def opened(run: Run, page: Any, **given: Any) -> Sample:
    """The sample run, its one widget open in ``page``."""
    sample = run(**given)
    open_widget(page, sample.url)
    return sample


def sample_tests(
    checks: dict[str, Check], *, docs: bool
) -> tuple[Callable[[], None], Callable[[], None], Callable[..., None]]:
    """The tests of a module of ``checks`` (of the documentation pages' samples, or of the
    component pages'): every sample has a check, every sample names its source, and each runs
    as a script (one test a sample). The module binds them to their names for pytest."""

    def test_every_sample_has_a_check() -> None:
        assert sample_files(docs=docs) == sorted(checks)

    def test_every_sample_names_its_source() -> None:
        for name in sample_files(docs=docs):
            text = (SAMPLES / name).read_text()
            assert text.startswith("# From deeleeramone/PyWry "), name

    @pytest.mark.timeout(60)
    @pytest.mark.parametrize("name", sorted(checks))
    def test_a_release_sample_runs_as_a_script(
        name: str, run_sample: Callable[..., Sample], page: Any
    ) -> None:
        checks[name](functools.partial(run_sample, name), page)
        assert page.js_errors == []

    return (
        test_every_sample_has_a_check,
        test_every_sample_names_its_source,
        test_a_release_sample_runs_as_a_script,
    )
