"""Reading the settings layers, and checking each value against the field it names.

Every layer (a TOML table, the environment, the caller's explicit settings) is turned into
:class:`Entry` objects; :meth:`Schema.check` checks one entry and turns any problem into a
:class:`SettingsError` that names the dotted key, the value (secrets hidden), the layer the
value came from and what is expected. Nothing here knows the individual settings except
which of them are secret; the struct types and their :class:`Rule` objects say the rest.
"""

from __future__ import annotations

import logging
import math
import os
import re
import types
import typing
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, NamedTuple

import msgspec

from ..domain.errors import SettingsError

__all__ = [
    "Entry",
    "Rule",
    "Schema",
    "env_entries",
    "is_secret",
    "mask",
    "one_of",
    "read_toml",
    "suggest",
    "user_config_dir",
    "user_config_file",
]

log = logging.getLogger("pywry.settings")

_SECRET_KEYS = frozenset({"ssl_keyfile_password", "internal_api_token"})
# Any other key named like a secret is hidden too when it holds text (not a flag such as
# websocket_require_token): a setting added later is safe before anyone lists it.
_SECRET_WORDS = re.compile(r"password|secret|token|api_?key|credential", re.IGNORECASE)
_HIDDEN = "********"
# The password between "user:" and "@" in a URL such as redis://:secret@host/0.
_URL_PASSWORD = re.compile(r"^([a-z][a-z0-9+.-]*://[^:/@]*:)[^@/]*@", re.IGNORECASE)
_NONE_WORDS = frozenset({"", "none", "null"})
_TRUE_WORDS = frozenset({"1", "true", "yes", "on"})
_FALSE_WORDS = frozenset({"0", "false", "no", "off"})
_ENV_PREFIX = "PYWRY_"
# Variables the release documents under names of their own, and the key each one sets.
_ENV_ALIASES = {"PYWRY_DEPLOY_MODE": ("deploy", "enabled")}


def is_secret(key: str) -> bool:
    """Whether a setting named ``key`` holds a secret when it holds text."""
    return key in _SECRET_KEYS or bool(_SECRET_WORDS.search(key))


def mask(key: str, value: object) -> object:
    """``value`` safe to show: a secret key's value hidden, a URL's password part hidden."""
    if value is None:
        return None
    if key in _SECRET_KEYS or (isinstance(value, str) and is_secret(key)):
        return _HIDDEN
    if isinstance(value, str):
        return _URL_PASSWORD.sub(rf"\g<1>{_HIDDEN}@", value)
    return value


def suggest(word: str, options: typing.Iterable[str]) -> str:
    """``"; did you mean X?"`` for the option closest to a misspelt ``word``, else ``""``."""
    import difflib

    close = difflib.get_close_matches(word, list(options), n=1, cutoff=0.6)
    return f"; did you mean {close[0]}?" if close else ""


class Rule(NamedTuple):
    """A check beyond the field's type: ``check`` returns the value, normalised, or raises.

    ``check`` raises ``ValueError`` whose message (possibly empty) is a hint added after
    ``expected`` in the error.
    """

    expected: str
    check: Callable[[Any], Any]


def one_of(*options: str) -> Rule:
    """A rule accepting ``options`` in any letter case, and storing them lower-case."""

    def check(value: str) -> str:
        lowered = value.strip().lower()
        if lowered not in options:
            raise ValueError(suggest(lowered, options).removeprefix("; "))
        return lowered

    return Rule("one of " + ", ".join(options), check)


class Entry(NamedTuple):
    """One value of one layer: ``section`` is ``None`` for a top-level key such as ``debug``."""

    section: str | None
    key: str
    value: object
    source: str
    from_env: bool = False

    @property
    def dotted(self) -> str:
        return self.key if self.section is None else f"{self.section}.{self.key}"


class _Field(NamedTuple):
    type: Any  # the full annotation, as msgspec checks it
    base: Any  # without ``| None`` and ``Annotated``: int, float, bool, str or list[str]
    optional: bool
    default: object
    expected: str
    rule: Rule | None


def _field(dotted: str, info: msgspec.structs.FieldInfo, rules: Mapping[str, Rule]) -> _Field:
    base, optional, meta = info.type, False, None
    if typing.get_origin(base) in (typing.Union, types.UnionType):
        base, optional = next(a for a in typing.get_args(base) if a is not type(None)), True
    if typing.get_origin(base) is typing.Annotated:
        base, *extras = typing.get_args(base)
        meta = next((m for m in extras if isinstance(m, msgspec.Meta)), None)
    rule = rules.get(dotted)
    expected = rule.expected if rule else _describe(base, meta)
    if optional:
        expected += ", or none to leave it unset"
    default = info.default_factory() if info.default is msgspec.NODEFAULT else info.default
    return _Field(info.type, base, optional, default, expected, rule)


def _describe(base: Any, meta: msgspec.Meta | None) -> str:
    if base is bool:
        return "true or false"
    if base is int or base is float:
        noun = "an integer" if base is int else "a number"
        low, high = (meta.ge, meta.le) if meta else (None, None)
        if low is not None and high is not None:
            return f"{noun} from {low} to {high}"
        return f"{noun} of at least {low}" if low is not None else noun
    return "a list of strings" if typing.get_origin(base) is list else "a string"


def _from_env(text: str, field: _Field) -> object:
    """Parse an environment string leniently; what cannot be parsed is returned as is."""
    word = text.strip().lower()
    if field.optional and word in _NONE_WORDS:
        return None
    try:
        if field.base is bool:
            return True if word in _TRUE_WORDS else False if word in _FALSE_WORDS else text
        if field.base is int:
            return int(word)
        if field.base is float:
            return float(word)
        if typing.get_origin(field.base) is list:
            if text.strip().startswith("["):
                import json

                return json.loads(text)
            return [part.strip() for part in text.split(",") if part.strip()]
    except ValueError:
        pass  # the type check below reports the text with what was expected
    return text


class Schema:
    """The sections and keys of a root settings struct, and the check of one value."""

    def __init__(self, root: type[msgspec.Struct], *, rules: Mapping[str, Rule]) -> None:
        self._fields: dict[str | None, dict[str, _Field]] = {None: {}}
        self._types: dict[str | None, type[msgspec.Struct]] = {None: root}
        for info in msgspec.structs.fields(root):
            if isinstance(info.type, type) and issubclass(info.type, msgspec.Struct):
                self._types[info.name] = info.type
                self._fields[info.name] = {
                    f.name: _field(f"{info.name}.{f.name}", f, rules)
                    for f in msgspec.structs.fields(info.type)
                }
            else:
                self._fields[None][info.name] = _field(info.name, info, rules)

    def empty(self) -> dict[str | None, dict[str, Any]]:
        """One empty dict per section, and one (under ``None``) for the top-level keys."""
        return {section: {} for section in self._fields}

    def section_names(self) -> list[str]:
        """The tables of the settings (``server``, ``window``, ...)."""
        return [section for section in self._fields if section is not None]

    def keys_of(self, section: str) -> frozenset[str]:
        """The keys of one table."""
        return frozenset(self._fields.get(section, {}))

    def top_level_keys(self) -> frozenset[str]:
        """The keys that are not sections, such as ``headless``."""
        return frozenset(self._fields[None])

    def check(self, entry: Entry) -> Any:
        """The entry's value, converted and normalised; raises :class:`SettingsError`."""
        field = self._fields.get(entry.section, {}).get(entry.key)
        if field is None:
            raise SettingsError(self._unknown(entry))
        value = entry.value
        if entry.from_env and isinstance(value, str):
            value = _from_env(value, field)
            if isinstance(value, str) and field.base is str and entry.key not in _SECRET_KEYS:
                # Spaces around a value in a shell or a compose file are never meant: a path
                # or a host with them fails later and far from here. Secrets stay verbatim.
                value = value.strip()
        elif isinstance(value, os.PathLike) and field.base is str:
            value = os.fspath(value)
        if value is None and field.optional:
            return None
        hint = ""
        try:
            value = msgspec.convert(value, field.type, strict=True)
            if isinstance(value, float) and not math.isfinite(value):
                raise ValueError("")
            return field.rule.check(value) if field.rule else value
        except msgspec.ValidationError:
            pass
        except ValueError as exc:
            hint = f"; {exc}" if str(exc) else ""
        shown = repr(mask(entry.key, entry.value))
        shown = shown if len(shown) <= 80 else shown[:77] + "..."
        raise SettingsError(
            f"{entry.dotted} = {shown} (from {entry.source}): expected {field.expected}{hint}"
        )

    def _unknown(self, entry: Entry) -> str:
        sections = [s for s in self._fields if s is not None]
        top = list(self._fields[None])
        if entry.section is None or entry.section not in self._fields:
            word = entry.key if entry.section is None else entry.section
            return (
                f"unknown setting {entry.dotted} (from {entry.source}): expected a section"
                f" ({', '.join(sections)}) or a top-level key ({', '.join(top)})"
                + suggest(word, sections + top)
            )
        keys = self._fields[entry.section]
        hint = suggest(entry.key, keys) or f"; the {entry.section} settings are {', '.join(keys)}"
        return f"unknown setting {entry.dotted} (from {entry.source}){hint}"

    def from_mapping(self, data: Mapping[Any, Any], source: str) -> Iterator[Entry]:
        """The entries of a nested mapping such as ``{"server": {"port": 0}, "debug": True}``."""
        for key, value in data.items():
            name = str(key)
            if name not in self._types:
                yield Entry(None, name, value, source)
            elif isinstance(value, msgspec.Struct):
                yield from self.from_struct(value, source, section=name)
            elif isinstance(value, Mapping):
                yield from (Entry(name, str(k), v, source) for k, v in value.items())
            else:
                raise SettingsError(
                    f"{name} = {type(value).__name__} (from {source}): expected a table of"
                    f" {name} settings, like [{name}] in pywry.toml or {{'{name}': {{...}}}}"
                )

    def from_struct(
        self, obj: msgspec.Struct, source: str, *, section: str | None = None
    ) -> Iterator[Entry]:
        """The fields of ``obj`` that differ from their defaults: only those count as set."""
        kind = self._types[section]
        if not isinstance(obj, kind):
            where = f"{section} " if section else ""
            raise SettingsError(
                f"{where}settings (from {source}): expected a {kind.__name__},"
                f" got a {type(obj).__name__}"
            )
        for name in obj.__struct_fields__:
            value = getattr(obj, name)
            if section is None and name in self._types:
                yield from self.from_struct(value, source, section=name)
            elif value != self._fields[section][name].default:
                yield Entry(section, name, value, source)


def env_entries(
    environ: Mapping[str, str], schema: Schema, *, extra_top: frozenset[str] = frozenset()
) -> Iterator[Entry]:
    """``PYWRY_<SECTION>__<KEY>`` variables and ``PYWRY_<TOP_LEVEL_KEY>`` ones such as HEADLESS
    (and such as ``extra_top``: names the caller reads although the schema has no field).

    Other ``PYWRY_*`` variables (``PYWRY_CONFIG_FILE`` and any unrelated one) are left alone.
    """
    top = schema.top_level_keys() | extra_top
    for name in sorted(environ):
        if not name.startswith(_ENV_PREFIX):
            continue
        rest = name[len(_ENV_PREFIX) :].lower()
        section, sep, key = rest.partition("__")
        source = f"environment variable {name}"
        if name in _ENV_ALIASES:
            alias_section, alias_key = _ENV_ALIASES[name]
            yield Entry(alias_section, alias_key, environ[name], source, from_env=True)
        elif sep:
            yield Entry(section, key, environ[name], source, from_env=True)
        elif rest in top:
            yield Entry(None, rest, environ[name], source, from_env=True)
        else:
            _check_near_miss(name, rest, schema)


def _check_near_miss(name: str, rest: str, schema: Schema) -> None:
    """Refuse ``PYWRY_SERVER_PORT`` (one underscore): it means a key, and would do nothing.

    Unrelated ``PYWRY_*`` variables stay allowed; a name close to a top-level one
    (``PYWRY_HEADLES``) gets a warning, since it may be someone else's variable.
    """
    for section in schema.section_names():
        prefix = section + "_"
        if rest.startswith(prefix) and rest[len(prefix) :] in schema.keys_of(section):
            fixed = f"{_ENV_PREFIX}{section.upper()}__{rest[len(prefix) :].upper()}"
            raise SettingsError(
                f"environment variable {name} sets nothing: section and key are separated by "
                f"two underscores; did you mean {fixed}?"
            )
    if rest != "config_file":
        hint = suggest(rest, [*schema.top_level_keys(), "config_file"])
        if hint:
            fixed = _ENV_PREFIX + hint.removeprefix("; did you mean ").rstrip("?").upper()
            log.warning("environment variable %s sets nothing; did you mean %s?", name, fixed)


def read_toml(path: Path) -> dict[str, Any] | None:
    """The parsed TOML file at ``path``, or ``None`` when there is no such file."""
    try:
        text = path.read_text(encoding="utf-8")
    except (FileNotFoundError, NotADirectoryError):
        return None
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read settings file {path}: {exc}") from None
    import tomllib  # only paid for when a settings file exists

    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SettingsError(
            f"settings file {path} is not valid TOML: {exc}; fix the file or remove it"
        ) from None


def _home(environ: Mapping[str, str]) -> Path:
    home = environ.get("HOME") or environ.get("USERPROFILE")
    if home:
        return Path(home)
    try:
        return Path.home()
    except RuntimeError:
        raise SettingsError(
            "cannot find the home directory for the user config file; set HOME or XDG_CONFIG_HOME"
        ) from None


def user_config_dir(environ: Mapping[str, str] | None = None) -> Path:
    """``$XDG_CONFIG_HOME/pywry`` when that is an absolute path, else ``~/.config/pywry``."""
    env = os.environ if environ is None else environ
    xdg = env.get("XDG_CONFIG_HOME", "")
    if xdg and Path(xdg).is_absolute():
        return Path(xdg) / "pywry"
    return _home(env) / ".config" / "pywry"


def user_config_file(environ: Mapping[str, str] | None = None, *, cwd: Path | None = None) -> Path:
    """The user config file: ``$PYWRY_CONFIG_FILE`` if set, else :func:`user_config_dir`'s.

    A relative ``$PYWRY_CONFIG_FILE`` is taken relative to ``cwd`` (the working directory).
    """
    env = os.environ if environ is None else environ
    named = env.get("PYWRY_CONFIG_FILE", "")
    if named:
        return (Path.cwd() if cwd is None else cwd) / named
    return user_config_dir(env) / "config.toml"
