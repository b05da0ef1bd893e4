"""Runs one Python sample of the docs as a user would, in a process of its own.

``python sample_runner.py SAMPLE.py``: the sample runs as ``__main__`` with a real server on
a free port and a fake browser launcher (nothing opens), and ``app.block()`` returns as soon
as every widget shown answers its URL (the real server serves its page), instead of waiting
for pages to close. When the sample ends, every app it made is destroyed, and one line says
how many widgets were checked.
"""

from __future__ import annotations

import os
import runpy
import sys
from typing import Any

os.environ.update(
    {"PYWRY_SERVER__PORT": "0", "PYWRY_HEADLESS": "1", "PYWRY_CONFIG_FILE": os.devnull}
)

# Imported after the environment is set: pywry reads it when settings load.
import httpx

from pywry import PyWry
from pywry.testing import FakeBrowserLauncher

apps: list[PyWry] = []
handles: dict[int, list[Any]] = {}
checked: list[str] = []
_init, _show = PyWry.__init__, PyWry.show


def init(self: PyWry, *args: Any, **kwargs: Any) -> None:
    _init(self, *args, **kwargs)
    self.container.browser_launcher.override(FakeBrowserLauncher())
    apps.append(self)


def show(self: PyWry, *args: Any, **kwargs: Any) -> Any:
    handle = _show(self, *args, **kwargs)
    handles.setdefault(id(self), []).append(handle)
    return handle


def block(self: PyWry, label: str | None = None) -> None:
    for handle in handles.get(id(self), []):
        if label is not None and handle.label != label:
            continue
        answer = httpx.get(handle.url, timeout=10)
        if answer.status_code != 200:
            raise AssertionError(f"{handle.url} answered {answer.status_code}")
        checked.append(handle.url)


PyWry.__init__ = init  # type: ignore[method-assign]
PyWry.show = show  # type: ignore[method-assign]
PyWry.block = block  # type: ignore[method-assign]

try:
    runpy.run_path(sys.argv[1], run_name="__main__")
finally:
    for app in apps:
        app.destroy()
print(f"sample ran: {len(apps)} apps, {len(checked)} widget pages served")
