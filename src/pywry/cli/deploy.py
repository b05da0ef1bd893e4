"""``pywry deploy TARGET``: serve a PyWry app in deploy mode, in the foreground."""

from __future__ import annotations

import argparse
import os
from typing import TYPE_CHECKING, Any

from .common import Exit, add_command, add_listen_arguments, count
from .targets import TARGETS_HELP, add_target_argument, load_target

if TYPE_CHECKING:
    from ..app.facade import PyWry

__all__ = ["add_parser", "load_deploy_target", "run"]


def add_parser(commands: Any) -> None:
    deploy = add_command(
        commands,
        "deploy",
        summary="serve a PyWry app in deploy mode, in the foreground, until Ctrl+C or SIGTERM",
        description=(
            "Import TARGET with deploy mode on (PYWRY_DEPLOY_MODE=1, so show() only registers\n"
            "widgets and never opens a browser), then serve its PyWry app with deploy() on\n"
            "[server] host/port until Ctrl+C or SIGTERM; open pages reconnect by themselves\n"
            "once the server is back. The current directory is searched first, as with\n"
            "`python -m`. Settings come from PYWRY_* variables and pywry.toml."
        ),
        epilog=(
            TARGETS_HELP + "\n"
            "examples:\n"
            "  pywry deploy examples.deploy_app:widgets\n"
            "  pywry deploy examples/deploy_app.py:widgets --host 0.0.0.0 --port 8080\n"
            "\n"
            "exit codes: 0 stopped by a signal, 1 the app failed, 2 TARGET names nothing to\n"
            "serve"
        ),
    )
    add_target_argument(deploy)
    add_listen_arguments(deploy, zero_picks_a_free_port=False)
    deploy.add_argument(
        "--workers",
        type=count,
        default=None,
        metavar="N",
        help='worker processes (default: [server] workers); above 1 needs state_backend = "redis"',
    )


def load_deploy_target(target: str) -> PyWry:
    """The app ``target`` names, imported with deploy mode on (each worker does the same)."""
    # Before the module runs: a show() at import time must never start a server thread or
    # open a browser.
    os.environ["PYWRY_DEPLOY_MODE"] = "1"
    return load_target(target)


def run(args: argparse.Namespace) -> int:
    app = load_deploy_target(args.target)
    app.deploy(host=args.host, port=args.port, workers=args.workers, target=args.target)
    return Exit.OK
