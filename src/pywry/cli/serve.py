"""``pywry serve TARGET``: import a script's PyWry app and serve it in browser mode, in
the foreground."""

from __future__ import annotations

import argparse
import os
from typing import Any, TextIO

from .common import UsageError, add_command, add_listen_arguments
from .running import serve_until_stopped
from .targets import TARGETS_HELP, add_target_argument, load_target

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    serve = add_command(
        commands,
        "serve",
        summary="serve a script's PyWry app in browser mode until Ctrl+C",
        description=(
            "Import TARGET in browser mode (the current directory is searched first, as with\n"
            "`python -m`), find its PyWry app and serve its widgets until Ctrl+C or SIGTERM;\n"
            "the server keeps running when pages close. A function target is called first:\n"
            "it returns the app, or shows widgets on one it makes. --host, --port and\n"
            "--no-browser are given to the app as PYWRY_* variables, so an app made with\n"
            "settings of its own (PyWry(settings=...)) keeps those."
        ),
        epilog=(
            TARGETS_HELP + "  package.module:main        a function that shows widgets\n"
            "\n"
            "examples:\n"
            "  pywry serve dashboard:app\n"
            "  pywry serve tools/report.py:build --port 0 --no-browser\n"
            "\n"
            "exit codes: 0 stopped by Ctrl+C or SIGTERM, 1 the app failed, 2 TARGET names\n"
            "nothing to serve"
        ),
    )
    add_target_argument(serve)
    add_listen_arguments(serve)
    serve.add_argument(
        "--no-browser",
        action="store_true",
        help="open no browser; print the URLs only (as PYWRY_HEADLESS=1)",
    )


def run(args: argparse.Namespace, out: TextIO) -> int:
    # Before the module runs, since its PyWry() reads the settings then.
    os.environ["PYWRY_DEPLOY_MODE"] = "0"
    if args.host is not None:
        os.environ["PYWRY_SERVER__HOST"] = args.host
    if args.port is not None:
        os.environ["PYWRY_SERVER__PORT"] = str(args.port)
    if args.no_browser:
        os.environ["PYWRY_HEADLESS"] = "1"
    app = load_target(args.target)
    if app.hosted:
        raise UsageError(
            f"{args.target} is served by another server (deploy mode, or a Litestar app's"
            " plugin): run `pywry deploy` for deploy mode"
        )
    labels = app.get_labels()
    if not labels:
        raise UsageError(
            f"{args.target} shows no widgets: call show() when the module is imported, or"
            " name a function that does"
        )
    app.start()
    for label in labels:
        out.write(f"pywry serve: {label} at {app.get_widget_url(label)}\n")
    out.write("pywry serve: Ctrl+C stops\n")
    out.flush()
    return serve_until_stopped(app)
