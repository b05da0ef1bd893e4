"""An app wired with the fakes: what the pytest fixtures build, for any test runner."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .errors import CallbackErrors
from .fakes import FakeBrowserLauncher, FakeServerRunner

if TYPE_CHECKING:
    from ..app.facade import PyWry
    from ..app.modes import WindowMode
    from ..app.settings import Settings

__all__ = ["app_with_fakes"]


def app_with_fakes(
    settings: Settings | Mapping[str, Any] | None = None,
    *,
    mode: WindowMode | str | None = None,
    errors: CallbackErrors | None = None,
) -> PyWry:
    """A new ``PyWry`` whose browser and server are fakes; its loop and bridge are real.

    Nothing opens and nothing listens: drive its widgets with
    :class:`~pywry.testing.FakePage`. The app starts its loop thread at its first ``show()``,
    as any app does; ``destroy()`` it when done (the pytest fixtures do).

    Args:
        settings: As ``PyWry(settings=...)``: they win over ``PYWRY_*`` variables and files.
        mode: As ``PyWry(mode=...)``; ``WindowMode.BROWSER`` by default.
        errors: Told of every callback that raises; with it, ``FakePage.emit(...,
            wait=True)`` raises the first callback error instead of only logging it.
    """
    from ..app.facade import PyWry
    from ..app.modes import WindowMode

    app = PyWry(mode=mode or WindowMode.BROWSER, settings=settings)
    app.container.browser_launcher.override(FakeBrowserLauncher())
    app.container.server_runner.override(FakeServerRunner())
    if errors is not None:
        app.container.callback_failures.override(errors)
    return app
