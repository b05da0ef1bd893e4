"""The release's settings objects, for scripts that build them: ``PyWrySettings`` and
``SecuritySettings`` with its presets.

``PyWrySettings(**sections)`` is the release's spelling of the nested mapping that
``PyWry(settings=...)`` takes: each section a dict or a section object (pywry's
``WindowSettings``, ``ServerSettings``, ... or a ``SecuritySettings``). The release's
sections and keys that pywry does not implement are accepted there as everywhere, each with
a :class:`~pywry.app.compat.PyWryCompatibilityWarning`.
"""

from __future__ import annotations

from typing import Any

import msgspec

__all__ = ["PyWrySettings", "SecuritySettings"]

_SELF = "'self'"
_LOOSE = "'self' 'unsafe-inline' 'unsafe-eval'"


class PyWrySettings(dict[str, Any]):
    """The settings of ``PyWry(settings=...)`` as the release wrote them, such as
    ``PyWrySettings(window=WindowSettings(title="My App"), log={"level": "DEBUG"})``."""

    def __init__(self, **sections: Any) -> None:
        super().__init__(sections)


class SecuritySettings(msgspec.Struct, frozen=True, kw_only=True):
    """The release's Content-Security-Policy directives (its ``[csp]`` section).

    pywry sends no policy of its own, so these have no effect as settings (a warning says
    so when they differ from :meth:`permissive`); :meth:`build_csp` gives the content of a
    ``<meta http-equiv="Content-Security-Policy">`` to put in the page you show.
    """

    default_src: str = f"{_LOOSE} data: blob:"
    connect_src: str = "'self' http://*:* https://*:* ws://*:* wss://*:* data: blob:"
    script_src: str = _LOOSE
    style_src: str = "'self' 'unsafe-inline'"
    img_src: str = "'self' http://*:* https://*:* data: blob:"
    font_src: str = "'self' data:"

    def build_csp(self) -> str:
        """The policy, directive by directive, as a meta tag's ``content``."""
        return "; ".join(
            f"{name.removesuffix('_src')}-src {getattr(self, name)}"
            for name in self.__struct_fields__
        )

    @classmethod
    def permissive(cls) -> SecuritySettings:
        """The defaults: inline and evaluated scripts, and connections anywhere."""
        return cls()

    @classmethod
    def strict(cls) -> SecuritySettings:
        """No evaluated scripts; connections and images from the page's own origin only."""
        return cls(
            default_src="'self' 'unsafe-inline' data: blob:",
            connect_src="'self' data: blob:",
            script_src="'self' 'unsafe-inline'",
            img_src="'self' data: blob:",
        )

    @classmethod
    def localhost(cls, ports: list[int] | None = None) -> SecuritySettings:
        """Connections to localhost only: on any port, or on ``ports``."""
        hosts = ("localhost", "127.0.0.1")
        if ports:
            allowed = " ".join(
                f"{scheme}://{host}:{port}"
                for port in ports
                for scheme in ("http", "ws")
                for host in hosts
            )
        else:
            allowed = " ".join(
                f"{scheme}://{host}:*" for scheme in ("http", "ws") for host in hosts
            )
        return cls(
            default_src="'self' 'unsafe-inline' data: blob:",
            connect_src=f"{_SELF} {allowed} data: blob:",
            script_src="'self' 'unsafe-inline'",
            img_src="'self' http://localhost:* http://127.0.0.1:* data: blob:",
        )
