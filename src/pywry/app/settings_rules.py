"""The checks a setting's value gets beyond its type: what each one expects, and why.

Each :class:`~pywry.app.settings_sources.Rule` names what fits (shown in the error) and
normalises the value; :data:`RULES` maps dotted keys to them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from urllib.parse import urlsplit

from ..domain.protocol import OWN_ROOTS
from .modes import THEMES, WindowMode
from .settings_sources import Rule, one_of

__all__ = ["RULES"]

_URL_PREFIX = re.compile(r"(/[A-Za-z0-9_~-][A-Za-z0-9._~-]*)+")
_HEADER_NAME = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")


def _prefix(value: str) -> str:
    # Not under one of pywry's own routes: the API routes get CORS headers (a page's token
    # would be readable from any origin), the others would be shadowed.
    if _URL_PREFIX.fullmatch(value):
        clash = next((r for r in OWN_ROOTS if value == r or value.startswith(r + "/")), None)
        if clash is not None:
            raise ValueError(f"{clash} is taken")
        return value
    fixed = "/" + value.strip().strip("/")
    raise ValueError(f"did you mean {fixed!r}?" if _URL_PREFIX.fullmatch(fixed) else "")


def _base_url(value: str) -> str:
    parts = urlsplit(value.strip())
    if parts.scheme in ("http", "https") and parts.netloc and not (parts.query or parts.fragment):
        return value.strip().rstrip("/")
    raise ValueError("")


def _host(value: str) -> str:
    if value and not any(c.isspace() or c == "/" for c in value):
        return value
    raise ValueError("give the host alone, without a scheme or path" if "/" in value else "")


def _header(value: str) -> str:
    if _HEADER_NAME.fullmatch(value):
        return value
    raise ValueError("")


def _redis_url(value: str) -> str:
    if value.lower().startswith(("redis://", "rediss://", "unix://")):
        return value
    raise ValueError("")


def _word(value: str) -> str:
    if value and not any(c.isspace() for c in value):
        return value
    raise ValueError("")


RULES: Mapping[str, Rule] = MappingProxyType(
    {
        "server.public_base_url": Rule(
            "an http:// or https:// URL without query, like 'https://example.com/tools'",
            _base_url,
        ),
        "server.host": Rule("a host name or IP address, like 127.0.0.1 or 0.0.0.0", _host),
        "server.widget_prefix": Rule(
            "a URL path that starts with '/', has no trailing '/' and uses only letters,"
            " digits and '-', '_', '.', '~', like '/widget', and is not under one of pywry's"
            f" own routes ({', '.join(OWN_ROOTS)})",
            _prefix,
        ),
        "server.log_level": one_of("critical", "error", "warning", "info", "debug", "trace"),
        "server.ssl": one_of("self-signed"),
        "server.internal_api_header": Rule(
            "an HTTP header name (letters, digits and !#$%&'*+-.^_`|~), like 'X-PyWry-Token'",
            _header,
        ),
        "window.mode": one_of(*(mode.value for mode in WindowMode)),
        "window.theme": one_of(*THEMES),
        "theme.mode": one_of(*THEMES),
        "log.level": one_of("debug", "info", "warning", "error", "critical"),
        "deploy.state_backend": one_of("memory", "redis"),
        "deploy.redis_url": Rule("a URL starting with redis://, rediss:// or unix://", _redis_url),
        "deploy.redis_prefix": Rule("a non-empty string without spaces", _word),
    }
)
