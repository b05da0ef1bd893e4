"""pywry's settings: what can be configured, and which layer each value comes from.

Layers, lowest first; a key set in a higher layer wins, key by key (not section by section):

1. the defaults below;
2. ``[tool.pywry]`` in ``pyproject.toml`` of the working directory (``[tool.pywry.server]`` ...);
3. ``./pywry.toml`` (``[server]``, ``[window]``, ``[deploy]``, top-level ``headless``/``debug``);
4. the user config file (:func:`user_config_file`), in the same format as ``pywry.toml``;
5. ``PYWRY_<SECTION>__<KEY>`` environment variables, plus ``PYWRY_HEADLESS`` and ``PYWRY_DEBUG``;
6. explicit settings, as given to ``PyWry(settings=...)``.

A bad value or unknown key in any layer raises :class:`SettingsError` naming the dotted key,
the value (secrets hidden), the layer and what is expected.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import Annotated, Any

import msgspec
from msgspec import Meta, field

from ..domain.errors import SettingsError
from .compat import RELEASE_TOP_LEVEL, sift_settings, warn_settings
from .settings_rules import RULES
from .settings_sources import (
    Entry,
    Schema,
    env_entries,
    mask,
    read_toml,
    user_config_dir,
    user_config_file,
)

log = logging.getLogger("pywry.settings")

__all__ = [
    "CORS_CONFLICT",
    "DeploySettings",
    "LogSettings",
    "ServerSettings",
    "Settings",
    "ThemeSettings",
    "WindowSettings",
    "cors_conflict",
    "load_settings",
    "user_config_dir",
    "user_config_file",
]

_Port = Annotated[int, Meta(ge=0, le=65535)]
_AtLeast0 = Annotated[int, Meta(ge=0)]
_AtLeast1 = Annotated[int, Meta(ge=1)]
_AtLeast1K = Annotated[int, Meta(ge=1024)]
# Granian reads at most 16 MiB per WebSocket frame and drops a socket that sends more without
# a close frame, so the page could not be told: a text message stays below that, whatever
# max_message_size says (1 KiB is kept for the frame number a page puts in front of a message
# it checked). Binary values travel in 1 MiB pieces, so an event with them may be larger.
MAX_FRAME_BYTES = 16 * 1024 * 1024
MAX_TEXT_BYTES = MAX_FRAME_BYTES - 1024
_MessageSize = Annotated[int, Meta(ge=1024, le=1 << 30)]
_Seconds = Annotated[float, Meta(ge=0)]


def _any() -> list[str]:
    return ["*"]


class _Section(msgspec.Struct, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """Base of the settings structs: its repr never shows a password or a token."""

    def __rich_repr__(self) -> list[tuple[str, Any]]:
        return [(name, mask(name, getattr(self, name))) for name in self.__struct_fields__]

    def __repr__(self) -> str:
        body = ", ".join(f"{name}={value!r}" for name, value in self.__rich_repr__())
        return f"{type(self).__name__}({body})"


class ServerSettings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[server]``: the local web server, its security checks and its limits.

    ``port = 0`` picks a free port. ``ssl = "self-signed"`` serves HTTPS with a development
    certificate kept under :func:`user_config_dir`; otherwise HTTPS needs ``ssl_certfile``
    and ``ssl_keyfile``. ``ssl_keyfile_password`` and ``internal_api_token`` are secrets:
    reprs and error messages hide them. ``internal_api_token`` is generated when unset.

    ``cors_allow_credentials`` is ``False`` by default (the release had ``True``): browsers
    refuse credentials with the wildcard origin ``"*"``, so turning it on also needs explicit
    ``cors_origins``; the CORS settings apply to the JSON API routes only, never to widget
    pages. An empty ``websocket_allowed_origins`` accepts any origin (the widget token is what
    keeps other pages out); a list accepts only its origins, and never ``null``.

    ``public_base_url`` is the address browsers reach the app at when a server pywry does
    not run serves the widgets (a Litestar app, deploy mode, a reverse proxy in front), like
    ``https://example.com/tools``: widget URLs are built on it. Unset, such a server gives
    paths (``/apps/widget/sales``) and browser mode its own ``http://host:port``.

    ``reconnect_grace`` is how many seconds a widget waits for a page that went away (a
    reload, a dropped connection) to come back before it counts as closed. The remaining
    limits bound memory and work per widget and per connection: inbound frames per second,
    message size, pages per widget, frames and bytes kept for replay after a reconnect,
    bytes per outbound batch, and threads running synchronous callbacks.
    """

    host: str = "127.0.0.1"  # where to listen; 0.0.0.0 serves the LAN
    port: _Port = 8765  # 0 picks a free port
    public_base_url: str | None = None  # where browsers reach widgets a server of yours
    # serves (plugin, deploy, proxy)
    widget_prefix: str = "/widget"  # path prefix of widget pages
    auto_start: bool = True  # start the server on the first show()
    workers: _AtLeast1 = 1  # worker processes (deploy mode)
    log_level: str = "info"  # the HTTP server's log level
    access_log: bool = True  # log each request (paths only) where logging shows it
    timeout_keep_alive: _AtLeast0 = 5  # seconds an idle HTTP connection stays
    timeout_graceful_shutdown: _Seconds | None = None  # seconds pages and callbacks get at
    # shutdown (unset: 2)
    ssl: str | None = None  # 'self-signed': a development certificate
    ssl_keyfile: str | None = None  # HTTPS private key (PEM)
    ssl_certfile: str | None = None  # HTTPS certificate (PEM)
    ssl_keyfile_password: str | None = None  # password of an encrypted key (secret)
    ssl_ca_certs: str | None = None  # CA bundle
    cors_origins: list[str] = field(default_factory=_any)  # CORS origins of the JSON API
    cors_allow_methods: list[str] = field(default_factory=_any)  # CORS methods of the JSON API
    cors_allow_headers: list[str] = field(default_factory=_any)  # CORS headers of the JSON API
    cors_allow_credentials: bool = False  # needs explicit cors_origins
    limit_concurrency: _AtLeast1 | None = None  # deploy mode only
    limit_max_requests: _AtLeast1 | None = None  # deploy mode only
    backlog: _AtLeast1 = 2048  # listen backlog
    websocket_allowed_origins: list[str] = field(default_factory=list)  # origins whose pages may
    # connect besides the widget's own; empty: any
    websocket_require_token: bool = True  # check each page's widget token
    internal_api_header: str = "X-PyWry-Token"  # header of the internal API token
    internal_api_token: str | None = None  # token of the JSON API (secret; generated)
    strict_widget_auth: bool = False  # pages need the internal token too
    allowed_hosts: list[str] = field(default_factory=list)  # extra Host names answered;
    # '*' turns the check off
    reconnect_grace: _Seconds = 5.0  # seconds a gone page has to come back
    max_message_size: _MessageSize = 4 << 20  # largest event from a page, binary included
    max_pages_per_widget: _AtLeast1 = 100  # pages open at once per widget
    max_inbound_rate: _AtLeast1 = 5000  # frames per second read from a page
    replay_buffer_frames: _AtLeast1 = 10000  # frames kept for replay per widget
    replay_buffer_bytes: _AtLeast1K = 16 * 1024 * 1024  # bytes kept for replay per widget
    outbound_batch_bytes: _AtLeast1K = 1024 * 1024  # largest batch sent as one message
    callback_workers: _AtLeast1 = 8  # threads running sync callbacks
    callback_inline_budget: _Seconds | None = None  # no effect any more: warned at load


class WindowSettings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[window]``: the window mode (``None``: browser mode) and how widgets look."""

    mode: str | None = None  # browser, or a native mode (unset: browser)
    title: str = "PyWry"  # default page title
    width: _AtLeast1 = 800  # kept for the release (tabs size themselves)
    height: _AtLeast1 = 600  # kept for the release (tabs size themselves)
    theme: str = "dark"  # dark, light or system


class DeploySettings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[deploy]``: deploy mode, where widget state lives (``memory`` or ``redis``) and for
    how long.

    ``enabled`` (also ``PYWRY_DEPLOY_MODE=1``, the release's name) turns deploy mode on:
    ``show()`` registers widgets for a server run in the foreground (:meth:`PyWry.deploy`,
    ``pywry deploy``) and never starts a server thread or opens a browser. A ``redis``
    state backend turns it on too.
    """

    enabled: bool = False  # deploy mode (also PYWRY_DEPLOY_MODE=1)
    state_backend: str = "memory"  # memory, or redis to share state
    redis_url: str = "redis://localhost:6379/0"  # where Redis is (password hidden)
    redis_prefix: str = "pywry"  # prefix of every Redis key
    redis_pool_size: _AtLeast1 = 10  # Redis connections per worker
    widget_ttl: _AtLeast1 = 86400  # seconds a widget lives in Redis after its last save
    connection_ttl: _AtLeast1 = 300  # seconds a worker's heartbeat lives
    worker_id: str | None = None  # this worker's name (generated when unset)


class LogSettings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[log]`` (the release's names): ``level`` of pywry's loggers (unset: the
    application's logging decides); ``format`` gives them a stderr handler of their own."""

    level: str | None = None  # level of pywry's loggers
    format: str | None = None  # a logging format for a stderr handler


class ThemeSettings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """``[theme]`` (the release's names): ``mode`` sets ``[window] theme`` where it is given,
    layer by layer; ``css_file`` has no effect (a warning says so)."""

    mode: str | None = None  # sets [window] theme
    css_file: str | None = None  # no effect: link the stylesheet in your HTML


class Settings(_Section, frozen=True, kw_only=True, forbid_unknown_fields=True):
    """All settings: ``headless`` never opens a browser (the URL is printed instead)."""

    server: ServerSettings = field(default_factory=ServerSettings)  # [server]
    window: WindowSettings = field(default_factory=WindowSettings)  # [window]
    deploy: DeploySettings = field(default_factory=DeploySettings)  # [deploy]
    log: LogSettings = field(default_factory=LogSettings)  # [log]
    theme: ThemeSettings = field(default_factory=ThemeSettings)  # [theme]
    headless: bool = False  # never open a browser: print the URL
    debug: bool = False  # pages log their bridge traffic to the console

    @property
    def deploy_mode(self) -> bool:
        """Whether a deploy server serves the widgets (see :class:`DeploySettings`)."""
        return self.deploy.enabled or self.deploy.state_backend == "redis"

    def masked(self) -> dict[str, Any]:
        """These settings as plain nested dicts with secrets hidden: safe to log or print."""
        return {
            name: msgspec.to_builtins(dict(value.__rich_repr__()))
            if isinstance(value, _Section)
            else value
            for name, value in self.__rich_repr__()
        }


# A path of one or more "/segment"; a segment never starts with "." so "." and ".." are out.
def load_settings(
    *,
    explicit: Settings | Mapping[str, Any] | None = None,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
    user_config: Path | None = None,
    trace: dict[str, str] | None = None,
) -> Settings:
    """The settings of all layers merged key by key, each value checked.

    Args:
        explicit: The highest layer: a :class:`Settings` (only fields that differ from their
            defaults count as set) or a nested dict like ``{"server": {"port": 0}}``.
        cwd: Where ``pyproject.toml`` and ``pywry.toml`` are looked for; the working directory.
        environ: The environment variables to read; ``os.environ``.
        user_config: The user config file; by default :func:`user_config_file`. A missing
            file is skipped.
        trace: Filled with the layer each set value came from, by dotted key (a key not
            in it has its default); ``pywry config`` reports it.

    Raises:
        SettingsError: A value is bad, a key or section is unknown, or a file is not TOML.
    """
    env = os.environ if environ is None else environ
    here = (Path.cwd() if cwd is None else cwd).absolute()
    schema = Schema(Settings, rules=RULES)
    user_file = user_config if user_config is not None else user_config_file(env, cwd=here)
    if user_config is None and env.get("PYWRY_CONFIG_FILE") and not user_file.exists():
        # Skipped, as the default file is when missing (pointing the variable at no file is
        # how tests keep a developer's own file out), but not unseen: it may be a typo.
        log.warning(
            "the user config file %s (from environment variable PYWRY_CONFIG_FILE) does not"
            " exist; it is skipped",
            user_file,
        )
    values = schema.empty()
    sources: dict[str, str] = {}
    release: dict[str, str] = {}  # the release's settings given, that pywry does not use
    layers = chain(
        _pyproject_entries(here / "pyproject.toml", schema),
        _file_entries(here / "pywry.toml", schema),
        _file_entries(user_file.absolute(), schema),
        env_entries(env, schema, extra_top=RELEASE_TOP_LEVEL),
        _explicit_entries(explicit, schema),
    )
    for entry in sift_settings(layers, schema, release):
        values[entry.section][entry.key] = schema.check(entry)
        sources[entry.dotted] = entry.source
    _check_cors(values["server"], sources)
    _check_tls(values["server"], sources)
    if values["server"].get("callback_inline_budget") is not None:
        log.warning(
            "server.callback_inline_budget (from %s) has no effect: a sync callback runs on a"
            " worker thread, or on the event loop when registered with sync_to_thread=False",
            sources.get("server.callback_inline_budget"),
        )
    warn_settings(release)
    if trace is not None:
        trace.update(sources)
    return Settings(
        server=ServerSettings(**values["server"]),
        window=WindowSettings(**values["window"]),
        deploy=DeploySettings(**values["deploy"]),
        log=LogSettings(**values["log"]),
        theme=ThemeSettings(**values["theme"]),
        **values[None],
    )


CORS_CONFLICT = (
    "browsers refuse credentials for the wildcard origin '*'; list the origins that may call"
    ' the API, like cors_origins = ["http://localhost:3000"], or set'
    " cors_allow_credentials = false"
)


def cors_conflict(origins: Iterable[str], credentials: bool) -> bool:
    """Whether CORS settings combine the wildcard origin with credentials (browsers refuse)."""
    return credentials and "*" in (o.strip() for o in origins)


def _check_cors(server: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    origins = server.get("cors_origins", _any())
    if not cors_conflict(origins, server.get("cors_allow_credentials", False)):
        return
    shown = repr(origins) if len(repr(origins)) <= 80 else repr(origins)[:77] + "..."
    raise SettingsError(
        "server.cors_allow_credentials = true (from"
        f" {sources.get('server.cors_allow_credentials', 'the defaults')}) cannot be combined"
        f" with server.cors_origins = {shown} (from"
        f" {sources.get('server.cors_origins', 'the defaults')}): {CORS_CONFLICT}"
    )


def _check_tls(server: Mapping[str, Any], sources: Mapping[str, str]) -> None:
    """Refuse a development certificate and certificate files at once: which one is meant?"""
    if server.get("ssl") is None:
        return
    given = [k for k in ("ssl_certfile", "ssl_keyfile") if server.get(k) is not None]
    if given:
        raise SettingsError(
            f"server.ssl = 'self-signed' (from {sources.get('server.ssl', 'the defaults')})"
            f" and server.{given[0]} (from {sources.get('server.' + given[0])}) are both set:"
            " keep ssl = 'self-signed' for a development certificate, or ssl_certfile and"
            " ssl_keyfile for your own, not both"
        )


def _pyproject_entries(path: Path, schema: Schema) -> Iterator[Entry]:
    tool = (read_toml(path) or {}).get("tool")
    table = tool.get("pywry") if isinstance(tool, dict) else None
    if table is None:
        return
    source = f"{path} [tool.pywry]"
    if not isinstance(table, dict):
        raise SettingsError(f"tool.pywry (from {path}): expected a table, like [tool.pywry]")
    yield from schema.from_mapping(table, source)


def _file_entries(path: Path, schema: Schema) -> Iterator[Entry]:
    data = read_toml(path)
    if data is not None:
        yield from schema.from_mapping(data, str(path))


def _explicit_entries(
    explicit: Settings | Mapping[str, Any] | None, schema: Schema
) -> Iterator[Entry]:
    source = "PyWry(settings=...)"
    if explicit is None:
        return
    if isinstance(explicit, Mapping):
        yield from schema.from_mapping(explicit, source)
    elif isinstance(explicit, msgspec.Struct):
        yield from schema.from_struct(explicit, source)
    else:
        raise SettingsError(
            f"settings (from {source}): expected a Settings or a dict such as"
            f" {{'server': {{'port': 0}}}}, got a {type(explicit).__name__}"
        )
