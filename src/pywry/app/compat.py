"""The release's names that pywry accepts without implementing them, and what it does instead.

A script, config file or environment written for the PyWry release must never lose a
feature without a word: each such argument or setting gives one
:class:`PyWryCompatibilityWarning` that names it and says what pywry does instead, and a
name that is neither pywry's nor the release's stays an error naming the closest valid one.
Every such name is here, so ``show()``, ``PyWry()`` and the settings loader say the same.
"""

from __future__ import annotations

import logging
import os
import sys
import warnings
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, cast

import msgspec

from ..domain.errors import InvalidArgumentError, SettingsError
from .components import add_components, secret_listeners

if TYPE_CHECKING:
    from ..domain.widget import Surround
    from .facade import PyWry
    from .listeners import Listener
    from .settings import LogSettings
    from .settings_sources import Entry, Schema

__all__ = [
    "RELEASE_TOP_LEVEL",
    "PyWryCompatibilityWarning",
    "ReleaseAPI",
    "apply_log_settings",
    "check_arguments",
    "default_worker_id",
    "last_app",
    "remember_app",
    "sift_settings",
    "warn_ignored",
    "warn_settings",
]


class PyWryCompatibilityWarning(UserWarning):
    """A name of the PyWry release that pywry accepts but does not implement."""


_NATIVE = (
    "they set up a native window, and pywry shows widgets in a browser tab, which the"
    " browser sizes, places and decorates"
)
_LIBRARIES = (
    "pywry bundles no chart or grid library: load it in the HTML you show with a <script>"
    " tag (a Plotly figure's fig.to_html(include_plotlyjs=True) carries its own, offline)"
)
_HOT_RELOAD = (
    "pywry does not watch files: call handle.update(html) to change a page in place, or"
    " reload the tab (a reloaded page keeps its widget)"
)
_AUTH = (
    "pywry has no login, sessions or roles: each widget's page is guarded by its own token;"
    " put your own sign-in in front (a reverse proxy, or the Litestar app that hosts"
    " pywry's plugin)"
)

# Arguments of the release's show() and PyWry() that pywry does not implement.
_ARGUMENTS: Mapping[str, str] = {
    "include_plotly": _LIBRARIES,
    "include_aggrid": _LIBRARIES,
    "include_tvchart": _LIBRARIES,
    "aggrid_theme": _LIBRARIES,
    "watch": _HOT_RELOAD,
    "hot_reload": _HOT_RELOAD,
    "menu": "a native menu bar needs a native window, and pywry shows a browser tab: put a"
    " menu in the HTML you show",
}
_SHOW_RELEASE = frozenset(_ARGUMENTS) - {"hot_reload"}
# The release's show() arguments pywry implements, taken out before the check: a typo of one
# is still named (app/components.py).
_SHOW_TAKEN = ("toolbars", "modals")
_INIT_RELEASE = frozenset({"hot_reload"})


def _names(text: str) -> list[str]:
    return text.split()


_WINDOW_NATIVE = _names(
    "min_width min_height center resizable decorations always_on_top devtools allow_network"
    " on_window_close"
)
_WINDOW_LIBRARIES = _names(
    "enable_plotly enable_aggrid enable_tvchart plotly_theme aggrid_theme tvchart_theme"
)
_DEPLOY_AUTH = _names(
    "session_ttl auth_enabled auth_session_cookie auth_header default_roles admin_users"
    " oauth2_login_path oauth2_callback_path auth_public_paths auth_redirect_uri force_https"
)

# Settings of the release that pywry does not implement: section (None: top level) -> key
# -> what pywry does instead. Its log and theme sections are pywry's own (they take effect),
# except theme.css_file.
_SETTINGS: dict[str | None, dict[str, str]] = {
    None: {"tauri_plugins": _NATIVE, "extra_capabilities": _NATIVE},
    "window": {
        **dict.fromkeys(_WINDOW_NATIVE, _NATIVE),
        **dict.fromkeys(_WINDOW_LIBRARIES, _LIBRARIES),
    },
    "server": {
        "reload": "pywry does not restart the server on code changes: run the script again",
        "force_notebook": "pywry has no notebook mode: it serves browser tabs",
    },
    "deploy": {
        **dict.fromkeys(_DEPLOY_AUTH, _AUTH),
        "sqlite_path": "pywry keeps state in memory or in Redis (deploy.state_backend)",
    },
    "theme": {"css_file": "pywry loads no CSS file from settings: link it in the HTML you show"},
    "hot_reload": dict.fromkeys(
        _names("enabled debounce_ms css_reload script_reload preserve_scroll watch_directories"),
        _HOT_RELOAD,
    ),
    "timeout": dict.fromkeys(
        _names("startup response create_window set_content shutdown"),
        "they time the release's native-window process, which pywry does not have"
        " (server.timeout_graceful_shutdown bounds pywry's stop)",
    ),
    "asset": dict.fromkeys(
        _names("plotly_version aggrid_version tvchart_version path css_files script_files"),
        _LIBRARIES,
    ),
    "csp": dict.fromkeys(
        _names("default_src connect_src script_src style_src img_src font_src"),
        "pywry sends no Content-Security-Policy of its own: a policy in the page's own"
        ' <meta http-equiv="Content-Security-Policy"> applies (SecuritySettings(...)'
        ".build_csp() gives its content)",
    ),
    "tvchart": dict.fromkeys(
        _names(
            "default_theme default_timeframe auto_save_interval max_bars stream_buffer_size"
            " indicator_cache_enabled storage_backend storage_path storage_namespace"
            " storage_adapter"
        ),
        _LIBRARIES,
    ),
    "mcp": dict.fromkeys(
        _names(
            "name version instructions transport host port sse_path message_path"
            " streamable_http_path json_response stateless_http strict_input_validation"
            " mask_error_details debug headless widget_ttl max_widgets event_buffer_size"
            " default_width default_height log_level log_tools skills_auto_load"
        ),
        "pywry has no model-context server",
    ),
    "oauth2": dict.fromkeys(
        _names(
            "provider client_id client_secret scopes authorize_url token_url userinfo_url"
            " issuer_url tenant_id use_pkce token_store_backend auth_timeout_seconds"
            " refresh_buffer_seconds"
        ),
        _AUTH,
    ),
}
RELEASE_TOP_LEVEL = frozenset(_SETTINGS[None])
_RELEASE_SECTIONS = frozenset(s for s in _SETTINGS if s is not None)
_PACKAGE_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__))) + os.sep


def _closest(word: str, options: Iterable[str]) -> list[str]:
    import difflib  # only when something is misspelt: it is slow to import

    return difflib.get_close_matches(word, sorted(options), n=1, cutoff=0.6)


def _suggest(word: str, options: Iterable[str]) -> str:
    close = _closest(word, options)
    return f"; did you mean {close[0]}?" if close else ""


def _warn(message: str) -> None:
    # Point at the user's line: the first frame outside the pywry package.
    frame, level = sys._getframe(1), 2
    while frame.f_back is not None and frame.f_code.co_filename.startswith(_PACKAGE_DIR):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, PyWryCompatibilityWarning, stacklevel=level)


# ---------------------------------------------------------------------------- arguments
def check_arguments(where: str, given: Mapping[str, Any], function: Callable[..., Any]) -> None:
    """Warn once for each release argument in ``given`` that asks for something (not None
    or False, which switch off what pywry does not have); refuse any other name, with the
    closest of ``function``'s parameters and the release's."""
    release = _SHOW_RELEASE if where == "show()" else _INIT_RELEASE
    for name, value in given.items():
        if name not in release:
            import inspect  # only paid for on the way to an error

            valid = [p for p in inspect.signature(function).parameters if p != "self"]
            taken = _SHOW_TAKEN if where == "show()" else ()
            hint = _suggest(name, [*valid, *release, *taken])
            raise InvalidArgumentError(f"{where} got an unexpected argument {name!r}{hint}")
        if value is not None and value is not False:
            _warn(f"{where} ignores {name}=: {_ARGUMENTS[name]}")


def warn_ignored(what: str, name: str) -> None:
    """Warn ``what`` (the release's ``name`` given some other way than as an argument, such
    as a field of ``HtmlContent``), saying what pywry does instead."""
    _warn(f"{what}: {_ARGUMENTS[name]}")


# ---------------------------------------------------------------------------- settings
def _struct_items(value: msgspec.Struct) -> Iterator[tuple[str, Any]]:
    """The fields of a section object that differ from that type's defaults."""
    default = type(value)()
    for name in value.__struct_fields__:
        if getattr(value, name) != getattr(default, name):
            yield name, getattr(value, name)


def sift_settings(
    entries: Iterable[Entry], schema: Schema, notes: dict[str, str]
) -> Iterator[Entry]:
    """The entries pywry reads; the release's others go to ``notes`` (dotted key -> source)
    for :func:`warn_settings`. ``theme.mode`` also sets ``window.theme``, layer by layer.

    Raises:
        SettingsError: A name neither pywry nor the release has, with the closest valid one.
    """
    for entry in entries:
        section, key = entry.section, entry.key
        if section is None and key in _RELEASE_SECTIONS and key not in schema.section_names():
            value = entry.value
            if isinstance(value, msgspec.Struct):
                value = dict(_struct_items(value))
            if not isinstance(value, Mapping):
                raise SettingsError(
                    f"{key} (from {entry.source}): expected a table of {key} settings,"
                    f" like [{key}] in pywry.toml"
                )
            yield from sift_settings(
                (entry._replace(section=key, key=str(k), value=v) for k, v in value.items()),
                schema,
                notes,
            )
            continue
        ours = schema.keys_of(section) if section is not None else schema.top_level_keys()
        release = _SETTINGS.get(section, {})
        if key in release:
            notes[entry.dotted] = entry.source
            if key not in ours:
                continue
        elif key not in ours:
            _refuse(entry, schema, [*release, *sorted(ours)])
        yield entry
        if entry.dotted == "theme.mode":
            yield entry._replace(section="window", key="theme")


def _refuse(entry: Entry, schema: Schema, keys: list[str]) -> None:
    """Raise for a name neither has when the closest valid one is the release's (or the
    section is the release's alone); else the schema's own message, which lists pywry's."""
    ours = set(schema.section_names())
    if entry.section is not None and (entry.section in ours or entry.section in _SETTINGS):
        options, word = set(keys), entry.key
        mine = set() if entry.section not in ours else set(schema.keys_of(entry.section))
    else:
        options = ours | _RELEASE_SECTIONS | set(keys)
        word = entry.key if entry.section is None else entry.section
        mine = ours | set(schema.top_level_keys())
    close = _closest(word, options)
    where = f"unknown setting {entry.dotted} (from {entry.source})"
    if close and close[0] not in mine:
        raise SettingsError(f"{where}; did you mean {close[0]}?")
    if not close and entry.section in _RELEASE_SECTIONS and entry.section not in ours:
        raise SettingsError(f"{where}: the {entry.section} settings are {', '.join(keys)}")


def warn_settings(notes: Mapping[str, str]) -> None:
    """One warning per reason, naming every release setting given for it and where from."""
    by_reason: dict[str, list[str]] = {}
    for dotted, source in notes.items():
        section, _, key = dotted.rpartition(".")
        reason = _SETTINGS[section or None][key]
        by_reason.setdefault(reason, []).append(f"{dotted} (from {source})")
    for reason, names in by_reason.items():
        verb = "has" if len(names) == 1 else "have"
        _warn(f"{', '.join(names)} {verb} no effect in pywry: {reason}")


def _refuse_release_call(name: str, instead: str) -> NoReturn:
    raise NotImplementedError(f"{name}() is not available in pywry: {instead}")


# ---------------------------------------------------------------------------- logging
_HANDLER_NAME = "pywry.settings.log.format"


def apply_log_settings(log_settings: LogSettings) -> None:
    """``[log] level`` sets the level of pywry's loggers; ``[log] format`` gives them a
    handler of their own on stderr, in that format, instead of the application's."""
    logger = logging.getLogger("pywry")
    if log_settings.level is not None:
        logger.setLevel(log_settings.level.upper())
    if log_settings.format is not None:
        for old in [h for h in logger.handlers if h.get_name() == _HANDLER_NAME]:
            logger.removeHandler(old)
        handler = logging.StreamHandler()
        handler.set_name(_HANDLER_NAME)
        handler.setFormatter(logging.Formatter(log_settings.format))
        logger.addHandler(handler)
        logger.propagate = False  # else every line shows twice, once per format


# ---------------------------------------------------------------------------- the app
_last: list[weakref.ref[PyWry]] = []  # the newest app, or nothing


def remember_app(app: PyWry) -> None:
    """The newest app: ``pywry.state`` answers from its settings while it lives."""
    _last[:] = [weakref.ref(app)]


def last_app() -> PyWry | None:
    app = _last[0]() if _last else None
    return None if app is None or app._destroyed else app


def default_worker_id() -> str:
    """The name of this process when ``[deploy] worker_id`` is unset and no deploy app is
    alive to say its own: its host and process id (a worker adds a random part to that)."""
    import socket

    return f"{socket.gethostname()}-{os.getpid()}"


class ReleaseAPI:
    """The release's chart and table calls, for :class:`~pywry.PyWry`: each says what to
    use instead, since pywry bundles none of those libraries."""

    def _show_release(
        self, content: str, release: dict[str, Any]
    ) -> tuple[str, Surround | None, list[Any]]:
        """``show()``'s release arguments: ``toolbars=`` and ``modals=`` drawn around
        ``content`` (with the SecretInputs among them, and the drawing the widget keeps);
        each other one warned about, or refused as a typo."""
        app = cast("PyWry", self)
        secrets: list[Any] = []
        drawn = add_components(release, app.container, secrets)
        check_arguments("show()", release, type(app).show)
        if drawn is not None:
            content = app.container.surround_content()(content, drawn)
        return content, drawn, secrets

    def _secret_listeners(self, secrets: list[Any], label: str) -> list[Listener]:
        """The listeners that answer the SecretInputs of this show() (reveal, copy, edit)."""
        return secret_listeners(secrets, label)

    def show_plotly(self, figure: Any = None, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_release_call(
            "show_plotly",
            "show the figure's own HTML, which carries Plotly offline:"
            " app.show(figure.to_html(include_plotlyjs=True, full_html=False))",
        )

    def show_dataframe(self, data: Any = None, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_release_call(
            "show_dataframe", "show the table's HTML: app.show(dataframe.to_html())"
        )

    def show_tvchart(self, data: Any = None, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse_release_call(
            "show_tvchart",
            "show HTML that loads a charting library with a <script> tag, and send it the"
            " data with handle.emit()",
        )
