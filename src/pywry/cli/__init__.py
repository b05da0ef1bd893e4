"""The ``pywry`` command: ``show``, ``serve``, ``deploy``, ``config``, ``cert``, ``--version``.

One module per subcommand, each with ``add_parser`` and ``run``. Everything heavy (the
server stack, ``cryptography``, the user's module) is imported inside the ``run`` that
needs it, so ``pywry --version`` and ``pywry --help`` answer at once. Errors are one line,
``pywry COMMAND: error: ...``; exit codes are in :mod:`pywry.cli.common`.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from . import cert, config, deploy, serve, show
from .common import CliFailed, Exit, UsageError

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    from .._version import __version__

    parser = argparse.ArgumentParser(
        prog="pywry",
        description="pywry: put HTML on screen from a plain Python script.",
        epilog="`pywry COMMAND --help` describes each command.",
    )
    parser.add_argument("--version", action="version", version=f"pywry {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in (show, serve, deploy, config, cert):
        module.add_parser(commands)
    return parser


def _run(args: argparse.Namespace) -> int:
    out = sys.stdout
    command = args.command
    if command == "show":
        return show.run(args, out)
    if command == "serve":
        return serve.run(args, out)
    if command == "deploy":
        return deploy.run(args)
    if command == "config":
        return config.run(args, out)
    return cert.run(args, out)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``pywry`` command with ``argv`` (default: the process arguments)."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return Exit.USAGE
    from ..domain.errors import PyWryError

    try:
        return _run(args)
    except UsageError as exc:
        print(f"pywry {args.command}: error: {exc}", file=sys.stderr)
        return Exit.USAGE
    except (PyWryError, CliFailed) as exc:
        print(f"pywry {args.command}: error: {exc}", file=sys.stderr)
        return Exit.FAILED
    except KeyboardInterrupt:
        return Exit.INTERRUPTED
