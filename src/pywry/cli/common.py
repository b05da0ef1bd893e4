"""What every ``pywry`` subcommand shares: exit codes, the two error kinds, argument types,
and the parts of their parsers that are alike (a subcommand's parser, ``--host``/``--port``).

Exit codes: 0 done (a server command stopped by Ctrl+C or SIGTERM included), 1 a runtime
failure (a pywry error, whose message says what to change, or the user's code failing,
its traceback first), 2 a usage error (a bad argument, a file or target that is not there).
"""

from __future__ import annotations

import argparse
import enum
import traceback
from pathlib import Path
from typing import Any

__all__ = [
    "CliFailed",
    "Exit",
    "UsageError",
    "a",
    "add_command",
    "add_listen_arguments",
    "count",
    "port",
    "print_user_traceback",
]

_PACKAGE_DIR = str(Path(__file__).resolve().parent)


class Exit(enum.IntEnum):
    OK = 0
    FAILED = 1
    USAGE = 2
    INTERRUPTED = 130  # Ctrl+C during a command that is not a server (as a shell reports it)


class UsageError(Exception):
    """The command line names nothing pywry can use: the message says what, exit code 2."""


class CliFailed(Exception):
    """The user's code or the machine failed (a traceback may be printed): exit code 1."""


def port(text: str) -> int:
    """An ``argparse`` type: a port number, 0 (any free port) to 65535."""
    try:
        number = int(text)
    except ValueError:
        number = -1
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number (0 to 65535)")
    return number


def count(text: str) -> int:
    """An ``argparse`` type: a whole number of 1 or more."""
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of 1 or more")
    return int(text)


def add_command(
    commands: Any, name: str, *, summary: str, description: str, epilog: str
) -> argparse.ArgumentParser:
    """The parser of subcommand ``name`` (``summary``: its line in ``pywry --help``); its
    description and epilog are shown with their own line breaks."""
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=summary,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description=description,
        epilog=epilog,
    )
    return parser


def add_listen_arguments(
    parser: argparse.ArgumentParser, *, zero_picks_a_free_port: bool = True
) -> None:
    """``--host`` and ``--port``, each None when not given (the [server] table's then). The
    port's help offers 0 where the command prints the address it got."""
    parser.add_argument(
        "--host", default=None, metavar="HOST", help="listen on HOST (default: [server] host)"
    )
    parser.add_argument(
        "--port",
        type=port,
        default=None,
        metavar="PORT",
        help="listen on PORT"
        + ("; 0 picks a free one" if zero_picks_a_free_port else "")
        + " (default: [server] port)",
    )


def a(obj: object) -> str:
    """``obj``'s type with its article: "an int", "a str", "the class Foo"."""
    if isinstance(obj, type):
        return f"the class {obj.__name__}"
    name = type(obj).__name__
    return f"{'an' if name[:1].lower() in 'aeiou' else 'a'} {name}"


def print_user_traceback(exc: BaseException) -> None:
    """The traceback of an error in the user's code, from its first frame there (not the
    command's or the import machinery's)."""
    tb = exc.__traceback__
    while tb is not None and (
        tb.tb_frame.f_code.co_filename.startswith(_PACKAGE_DIR)
        or tb.tb_frame.f_globals.get("__name__", "").startswith("importlib")
    ):
        tb = tb.tb_next
    traceback.print_exception(type(exc), exc, tb)
