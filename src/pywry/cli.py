"""The ``pywry`` command: serving an app in deploy mode, development certificates and the
version.

Everything heavy (settings, ``cryptography``, the user's module) is imported inside the
subcommand that needs it, so ``pywry --version`` and ``pywry --help`` answer at once.

Exit codes: 0 done (``deploy``: stopped by a signal), 1 a pywry error (the message says
what to change) or the served module failing (its traceback first), 2 a usage error (a
``deploy`` target that names no PyWry app included).
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, TextIO

if TYPE_CHECKING:
    from .app.facade import PyWry

__all__ = ["main"]

_OK = 0
_FAILED = 1
_USAGE = 2

# ``name``, ``name.attr`` or either with ``()`` (a factory called without arguments).
_ATTRIBUTE = re.compile(r"(?P<path>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)(?P<call>\(\))?")
_MODULE = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class _UsageError(Exception):
    """The command line names nothing pywry can serve: the message says what, exit code 2."""


class _Failed(Exception):
    """The user's code failed (its traceback is printed already): exit code 1."""


def _port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        port = -1
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return port


def _count(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    from ._version import __version__

    parser = argparse.ArgumentParser(
        prog="pywry",
        description="pywry: put HTML on screen from a plain Python script.",
    )
    parser.add_argument("--version", action="version", version=f"pywry {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    cert = commands.add_parser(
        "cert",
        help="make (or reuse) the development certificate used by ssl = 'self-signed'",
        description=(
            "Make a self-signed certificate for localhost, 127.0.0.1, ::1 and the configured"
            " server host, or reuse the one already there while it is valid for more than a"
            ' week. It is what `ssl = "self-signed"` serves; browsers warn about it until'
            " you trust it."
        ),
    )
    cert.add_argument(
        "--host",
        action="append",
        default=[],
        metavar="NAME",
        help="another host name or IP address the certificate must cover (repeatable)",
    )
    cert.add_argument(
        "--dir",
        type=Path,
        default=None,
        metavar="DIR",
        help="where to keep the pair (default: the user config directory's certs folder)",
    )
    cert.add_argument(
        "--force", action="store_true", help="make a new pair even if the current one is good"
    )
    deploy = commands.add_parser(
        "deploy",
        help="serve a PyWry app in deploy mode, in the foreground, until Ctrl+C or SIGTERM",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=(
            "Import TARGET with deploy mode on (PYWRY_DEPLOY_MODE=1, so show() only registers\n"
            "widgets and never opens a browser), then serve its PyWry app with deploy() on\n"
            "[server] host/port until Ctrl+C or SIGTERM; open pages reconnect by themselves\n"
            "once the server is back. The current directory is searched first, as with\n"
            "`python -m`. Settings come from PYWRY_* variables and pywry.toml."
        ),
        epilog=(
            "TARGET is one of:\n"
            "  package.module:app        a PyWry object in a module\n"
            "  package.module:make_app() a function returning one, called without arguments\n"
            "  path/to/script.py:app     a file (its folder is searched first for its imports)\n"
            "\n"
            "examples:\n"
            "  pywry deploy examples.deploy_app:widgets\n"
            "  pywry deploy examples/deploy_app.py:widgets --host 0.0.0.0 --port 8080\n"
            "\n"
            "exit codes: 0 stopped by a signal, 1 the app failed, 2 TARGET names nothing to\n"
            "serve"
        ),
    )
    deploy.add_argument("target", metavar="TARGET", help="what to serve: module:attr (see below)")
    deploy.add_argument(
        "--host", default=None, metavar="HOST", help="listen on HOST (default: [server] host)"
    )
    deploy.add_argument(
        "--port",
        type=_port,
        default=None,
        metavar="PORT",
        help="listen on PORT (default: [server] port)",
    )
    deploy.add_argument(
        "--workers",
        type=_count,
        default=None,
        metavar="N",
        help='worker processes (default: [server] workers); above 1 needs state_backend = "redis"',
    )
    return parser


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _cert(args: argparse.Namespace, out: TextIO) -> int:
    from .adapters.tls import CryptographyTlsLoader, describe_certificate
    from .app.server import dev_cert_hosts
    from .app.settings import load_settings, user_config_dir
    from .domain.errors import TlsError

    directory: Path = args.dir.expanduser() if args.dir else user_config_dir() / "certs"
    # The same names the server asks for, so that `ssl = "self-signed"` reuses this pair.
    hosts = [*dev_cert_hosts(load_settings().server.host), *args.host]
    loader = CryptographyTlsLoader()
    if args.force:
        for name in ("dev-cert.pem", "dev-key.pem"):
            try:
                (directory / name).unlink(missing_ok=True)
            except OSError as exc:
                raise TlsError(
                    f"cannot replace {directory / name} ({exc.strerror or exc}): check its"
                    " permissions"
                ) from None
    before = _read_or_none(directory / "dev-cert.pem")
    files = loader.self_signed(hosts, directory)
    made = _read_or_none(files.certfile) != before
    out.write(
        ("made a new " if made else "reusing the ") + describe_certificate(files.certfile) + "\n"
    )
    out.write(f"key {files.keyfile} (readable by you only)\n")
    out.write(
        'Serve it with ssl = "self-signed" in the [server] table of pywry.toml'
        " (or PYWRY_SERVER__SSL=self-signed).\n"
    )
    return _OK


def _a(obj: object) -> str:
    """``obj``'s type with its article: "an int", "a str", "the class Foo"."""
    if isinstance(obj, type):
        return f"the class {obj.__name__}"
    name = type(obj).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def _print_traceback(exc: BaseException) -> None:
    """The traceback of an error in the user's code, from its first frame there (not ours
    or the import machinery's)."""
    tb = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename == __file__
        or tb.tb_frame.f_globals.get("__name__", "").startswith("importlib")
    ):
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)


def _import(module_part: str) -> ModuleType:
    """The module ``module_part`` names: a dotted module name or a ``.py`` file's path."""
    if module_part.endswith(".py") or "/" in module_part or os.sep in module_part:
        path = Path(module_part).expanduser()
        if not path.is_file():
            raise _UsageError(f"no file {module_part}")
        path = path.resolve()
        if str(path.parent) not in sys.path:
            sys.path.insert(0, str(path.parent))  # as `python path/to/script.py` does
        name = path.stem
        if not name.isidentifier() or name in sys.modules:
            name = "__pywry_deploy__"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise _UsageError(f"{module_part} cannot be imported as Python code")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except BaseException:
            sys.modules.pop(name, None)
            raise
        return module
    if not _MODULE.fullmatch(module_part):
        raise _UsageError(f"{module_part!r} is not a module name (like package.module)")
    try:
        return importlib.import_module(module_part)
    except ModuleNotFoundError as exc:
        missing = exc.name or ""
        if missing == module_part or module_part.startswith(missing + "."):
            raise _UsageError(
                f"no module named {missing!r} (looked in {os.getcwd()} and the installed packages)"
            ) from None
        raise


def load_target(target: str) -> PyWry:
    """The PyWry app ``target`` (``module:attr``, ``module:factory()``) names."""
    from .app.facade import PyWry
    from .domain.errors import PyWryError

    module_part, colon, attr_part = target.rpartition(":")
    attribute = _ATTRIBUTE.fullmatch(attr_part)
    if not colon or not module_part or attribute is None:
        raise _UsageError(
            f"{target!r} is not a target: write module:attr or module:factory() (like"
            " examples.deploy_app:widgets)"
        )
    # Deploy mode before the module runs: a show() at import time must never start a
    # server thread or open a browser.
    os.environ["PYWRY_DEPLOY_MODE"] = "1"
    cwd = os.getcwd()
    if cwd not in sys.path:
        sys.path.insert(0, cwd)  # as `python -m` does
    try:
        module = _import(module_part)
    except (_UsageError, PyWryError):
        raise
    except Exception as exc:
        _print_traceback(exc)
        raise _Failed(f"importing {module_part} raised {type(exc).__name__}: {exc}") from None
    obj: object = module
    names = attribute["path"].split(".")
    for depth, name in enumerate(names):
        try:
            obj = getattr(obj, name)
        except AttributeError:
            owner = f"{module_part}:{'.'.join(names[:depth])}" if depth else module_part
            raise _UsageError(f"{owner} has no attribute {name!r}") from None
    shown = f"{module_part}:{attr_part}"
    if attribute["call"]:
        if not callable(obj):
            raise _UsageError(
                f"{module_part}:{attribute['path']} is {_a(obj)}, not a function returning a"
                " PyWry app"
            )
        try:
            obj = obj()
        except PyWryError:
            raise
        except Exception as exc:
            _print_traceback(exc)
            raise _Failed(f"{shown} raised {type(exc).__name__}: {exc}") from None
        if not isinstance(obj, PyWry):
            raise _UsageError(f"{shown} returned {_a(obj)}, not a PyWry app")
        return obj
    if isinstance(obj, PyWry):
        return obj
    if callable(obj) and not isinstance(obj, type):
        raise _UsageError(f"{shown} is a function, not a PyWry app: write {shown}() to call it")
    raise _UsageError(f"{shown} is {_a(obj)}, not a PyWry app")


def _deploy(args: argparse.Namespace) -> int:
    app = load_target(args.target)
    app.deploy(host=args.host, port=args.port, workers=args.workers, target=args.target)
    return _OK


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pywry`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return _USAGE
    from .domain.errors import PyWryError

    try:
        if args.command == "deploy":
            return _deploy(args)
        return _cert(args, sys.stdout)
    except _UsageError as exc:
        print(f"pywry {args.command}: error: {exc}", file=sys.stderr)
        return _USAGE
    except (PyWryError, _Failed) as exc:
        print(f"pywry {args.command}: error: {exc}", file=sys.stderr)
        return _FAILED
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
