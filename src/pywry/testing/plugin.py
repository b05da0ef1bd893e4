"""pywry's pytest plugin: fixtures for testing widgets without a browser, port or sleep.

pytest loads it by itself wherever pywry is installed (the ``pytest11`` entry point), so a
project's ``conftest.py`` needs nothing. Until a test asks for one of its fixtures it costs
a run ``import pywry.testing`` (which loads no server code) and nothing else.

- ``pywry_app``: a fresh app wired with the fakes, destroyed after the test.
- ``pywry_app_factory``: builds more, or custom ones (``settings=``, ``callback_errors=``).
- ``pywry_page`` / ``pywry_async_page``: open a fake page of a widget.
- ``pywry_isolated`` (fixture or marker): no ``PYWRY_*`` variable, ``pywry.toml`` or user
  config file of the machine reaches the test's apps.

A callback that raises fails the test: ``emit(..., wait=True)`` raises its exception, and one
left unraised when the test body ends is raised then.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import pytest

from ..domain.errors import InvalidArgumentError
from .apps import app_with_fakes
from .async_page import AsyncFakePage
from .errors import CallbackErrors
from .page import FakePage

if TYPE_CHECKING:
    from ..app.facade import PyWry
    from ..app.modes import WindowMode
    from ..app.settings import Settings

__all__ = [
    "pywry_app",
    "pywry_app_factory",
    "pywry_async_page",
    "pywry_isolated",
    "pywry_page",
]

MARKER = "pywry_isolated"
_RECORDERS = pytest.StashKey[list[CallbackErrors]]()


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        f"{MARKER}: the test's pywry apps ignore the machine's PYWRY_* variables, "
        "pywry.toml and user config file",
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    outcome = yield  # a test that failed on its own is reported as it failed
    for recorder in item.stash.get(_RECORDERS, []):
        recorder.raise_first()
    return outcome


@pytest.fixture
def pywry_isolated(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Run the test apart from the machine's pywry configuration.

    Clears every ``PYWRY_*`` variable, points the user config file at nothing and the
    working directory (where ``pywry.toml`` is read) at the test's ``tmp_path``.
    """
    for name in list(os.environ):
        if name.startswith("PYWRY_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PYWRY_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    monkeypatch.chdir(tmp_path)


@pytest.fixture(autouse=True)
def _pywry_isolated_by_marker(request: pytest.FixtureRequest) -> None:
    if request.node.get_closest_marker(MARKER) is not None:
        request.getfixturevalue("pywry_isolated")


class AppFactory:
    """Builds apps wired with the fakes; destroys them all after the test."""

    def __init__(self, request: pytest.FixtureRequest) -> None:
        self._request = request
        self.apps: list[PyWry] = []

    def __call__(
        self,
        settings: Settings | Mapping[str, Any] | None = None,
        *,
        mode: WindowMode | str | None = None,
        callback_errors: Literal["raise", "log"] = "raise",
    ) -> PyWry:
        """A new app; ``settings`` and ``mode`` as ``PyWry()`` takes them.

        ``callback_errors="raise"`` (the default) makes a callback's exception the test's;
        ``"log"`` leaves it to the log and the page's ``pywry:error``, as in production.
        """
        if callback_errors not in ("raise", "log"):
            raise InvalidArgumentError(
                f"callback_errors must be 'raise' or 'log', got {callback_errors!r}"
            )
        if "pywry_isolated" in self._request.fixturenames:
            self._request.getfixturevalue("pywry_isolated")  # before the app reads settings
        errors = None
        if callback_errors == "raise":
            errors = CallbackErrors()
            self._request.node.stash.setdefault(_RECORDERS, []).append(errors)
        app = app_with_fakes(settings, mode=mode, errors=errors)
        self.apps.append(app)
        return app

    def destroy_all(self) -> None:
        """Destroy every app; then raise a callback error recorded and not raised yet."""
        while self.apps:
            self.apps.pop().destroy()
        for recorder in self._request.node.stash.get(_RECORDERS, []):
            recorder.raise_first()  # raised by a callback that ran after the test's body


@pytest.fixture
def pywry_app_factory(request: pytest.FixtureRequest) -> Iterator[AppFactory]:
    """Call it for an app wired with the fakes: ``pywry_app_factory(settings={...})``."""
    factory = AppFactory(request)
    yield factory
    factory.destroy_all()


@pytest.fixture
def pywry_app(pywry_app_factory: AppFactory) -> PyWry:
    """A fresh ``PyWry`` in browser mode with a fake browser and server."""
    return pywry_app_factory()


def _label_of(app: PyWry, label: str | None) -> str:
    if label is not None:
        return label
    labels = app.get_labels()
    if len(labels) != 1:
        raise InvalidArgumentError(
            f"name the widget to open: the app has {sorted(labels) or 'none'}"
        )
    return labels[0]


PageOpener = Callable[..., FakePage]


@pytest.fixture
def pywry_page(pywry_app: PyWry) -> Iterator[PageOpener]:
    """Open a fake page: ``pywry_page("label")`` (of ``pywry_app``, connected and ready).

    Keywords: ``app=`` another app, ``token=``, ``since=`` as ``FakePage`` takes them,
    ``ready=False`` to leave out the page's ``pywry:ready``. The label may be left out when
    the app has one widget. The pages are closed after the test.
    """
    pages: list[FakePage] = []

    def open_page(
        label: str | None = None,
        *,
        app: PyWry | None = None,
        ready: bool = True,
        **options: Any,
    ) -> FakePage:
        owner = pywry_app if app is None else app
        page = FakePage(owner, _label_of(owner, label), **options)
        pages.append(page)
        return page.connect(ready=ready)

    yield open_page
    for page in pages:
        page.close(goodbye=False)


@pytest.fixture
def pywry_async_page(pywry_app: PyWry) -> Iterator[Callable[..., Awaitable[AsyncFakePage]]]:
    """``await pywry_async_page("label")``: as ``pywry_page``, for ``async def`` tests."""
    pages: list[AsyncFakePage] = []

    async def open_page(
        label: str | None = None,
        *,
        app: PyWry | None = None,
        ready: bool = True,
        **options: Any,
    ) -> AsyncFakePage:
        owner = pywry_app if app is None else app
        page = AsyncFakePage(owner, _label_of(owner, label), **options)
        pages.append(page)
        return await page.connect(ready=ready)

    yield open_page
    for page in pages:
        page.sync.close(goodbye=False)
