"""Finding the PyWry app a ``module:attr`` target names, for ``pywry serve`` and ``deploy``.

A target is ``package.module:attr`` or ``path/to/script.py:attr``; ``attr`` is a dotted
name inside the module that is a PyWry app, or a function called without arguments (with
or without ``()`` after its name) that returns one, or that shows widgets on one it makes
and returns nothing. The current directory is searched first, as with ``python -m``; a
script's own folder too, as with ``python path/to/script.py``.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import os
import re
import sys
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from .common import CliFailed, UsageError, a, print_user_traceback

if TYPE_CHECKING:
    from ..app.facade import PyWry

__all__ = ["TARGETS_HELP", "add_target_argument", "load_target"]

TARGETS_HELP = (
    "TARGET is one of:\n"
    "  package.module:app         a PyWry object in a module\n"
    "  package.module:make_app()  a function returning one, called without arguments\n"
    "                             (the () may be left out)\n"
    "  path/to/script.py:app      a file (its folder is searched first for its imports)\n"
)

# ``name``, ``name.attr`` or either with ``()`` (a factory called without arguments).
_ATTRIBUTE = re.compile(r"(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<call>\(\))?")
_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


def _import_file(module_part: str) -> ModuleType:
    path = Path(module_part).expanduser()
    if not path.is_file():
        raise UsageError(f"no file {module_part}")
    path = path.resolve()
    if str(path.parent) not in sys.path:
        sys.path.insert(0, str(path.parent))  # as `python path/to/script.py` does
    name = path.stem
    if not name.isidentifier() or name in sys.modules:
        name = "__pywry_target__"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise UsageError(f"{module_part} cannot be imported as Python code")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    try:
        spec.loader.exec_module(module)
    except BaseException:
        sys.modules.pop(name, None)
        raise
    return module


def _import(module_part: str) -> ModuleType:
    """The module ``module_part`` names: a dotted module name or a ``.py`` file's path."""
    if module_part.endswith(".py") or "/" in module_part or os.sep in module_part:
        return _import_file(module_part)
    if not _MODULE.fullmatch(module_part):
        raise UsageError(f"{module_part!r} is not a module name (like package.module)")
    try:
        return importlib.import_module(module_part)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_part or module_part.startswith(missing + "."):
            raise UsageError(
                f"no module named {missing!r} (looked in {os.getcwd()} and the installed packages)"
            ) from None
        raise


def _required_arguments(func: object) -> list[str]:
    try:
        signature = inspect.signature(func)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return []  # a builtin without a signature: let the call say
    return [
        p.name
        for p in signature.parameters.values()
        if p.default is p.empty and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
    ]


def _call(func: object, shown: str) -> PyWry:
    """What ``func()`` gives: the app it returns, or the newest app, which it showed widgets
    on."""
    from ..app.compat import last_app
    from ..app.facade import PyWry
    from ..domain.errors import PyWryError

    needed = _required_arguments(func)
    if needed:
        raise UsageError(
            f"{shown} takes arguments ({', '.join(needed)}); pywry calls it with none: name a"
            " function without arguments, or the PyWry app itself"
        )
    try:
        result = func()  # type: ignore[operator]
    except PyWryError:
        raise
    except Exception as exc:
        print_user_traceback(exc)
        raise CliFailed(f"{shown} raised {type(exc).__name__}: {exc}") from None
    if isinstance(result, PyWry):
        return result
    if result is None:
        shown_on = last_app()  # the newest app still alive, if the function showed on it
        if shown_on is not None and shown_on.get_labels():
            return shown_on
        raise UsageError(
            f"{shown} returned None and showed no widgets on a PyWry app: return the app, or"
            " show its widgets in the function"
        )
    raise UsageError(f"{shown} returned {a(result)}, not a PyWry app")


def add_target_argument(parser: argparse.ArgumentParser) -> None:
    """The TARGET a command serves (its epilog lists the forms: ``TARGETS_HELP``)."""
    parser.add_argument("target", metavar="TARGET", help="what to serve: module:attr (see below)")


def load_target(target: str) -> PyWry:
    """The PyWry app ``target`` names (see the module's docstring).

    Raises:
        UsageError: The target is malformed, or names no module, attribute or app.
        CliFailed: The module or the function raised (its traceback is printed).
    """
    from ..app.facade import PyWry
    from ..domain.errors import PyWryError

    module_part, colon, attr_part = target.rpartition(":")
    attribute = _ATTRIBUTE.fullmatch(attr_part)
    if not colon or not module_part or attribute is None:
        raise UsageError(
            f"{target!r} is not a target: write module:attr or path/to/script.py:attr (like"
            " examples.deploy_app:widgets)"
        )
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # as `python -m` does
    try:
        module = _import(module_part)
    except (UsageError, PyWryError):
        raise
    except Exception as exc:
        print_user_traceback(exc)
        raise CliFailed(f"importing {module_part} raised {type(exc).__name__}: {exc}") from None
    obj: object = module
    names = attribute["path"].split(".")
    for depth, name in enumerate(names):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            owner = f"{module_part}:{'.'.join(names[:depth])}" if depth else module_part
            raise UsageError(f"{owner} has no attribute {name!r}") from None
    shown = f"{module_part}:{attr_part}"
    if isinstance(obj, PyWry) and not attribute["call"]:
        return obj
    if callable(obj) and not isinstance(obj, type | PyWry):
        return _call(obj, shown)
    if attribute["call"]:
        raise UsageError(
            f"{module_part}:{attribute['path']} is {a(obj)}, not a function returning a PyWry app"
        )
    raise UsageError(f"{shown} is {a(obj)}, not a PyWry app")
