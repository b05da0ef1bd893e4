"""Embed pywry's widgets into a Litestar app: ``Litestar(plugins=[PyWryPlugin(widgets)])``.

See ``docs/embedding.md``.
"""

from __future__ import annotations

from .adapters.http.plugin import PyWryPlugin

__all__ = ["PyWryPlugin"]
