"""``pywry show FILE.html``: serve one HTML file as a widget in browser mode, in the
foreground; with ``--watch``, open pages update when the file changes."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any, TextIO

from .common import CliFailed, UsageError, add_command, add_listen_arguments
from .running import serve_until_stopped
from .watch import FileWatch, read_html

__all__ = ["add_parser", "label_for", "run"]

_UNSAFE = re.compile(r"[^A-Za-z0-9_-]+")


def add_parser(commands: Any) -> None:
    show = add_command(
        commands,
        "show",
        summary="serve an HTML file as a widget in the browser (--watch: live updates)",
        description=(
            "Serve FILE as a pywry widget in browser mode and open it in the system browser.\n"
            "The server keeps running when the tab closes (reload it, or open the printed\n"
            "URL again) until Ctrl+C or SIGTERM. With --watch, open pages show the file's\n"
            "new content each time it is saved. The file is served alone: link other files\n"
            "by absolute URL, or inline them. Other settings come from PYWRY_* variables,\n"
            "pywry.toml and the user config file (see `pywry config`)."
        ),
        epilog=(
            "examples:\n"
            "  pywry show report.html\n"
            "  pywry show report.html --watch --port 0 --no-browser\n"
            "\n"
            "exit codes: 0 stopped by Ctrl+C or SIGTERM, 1 the file cannot be read or the\n"
            "server cannot start, 2 no such file or a bad argument"
        ),
    )
    show.add_argument("file", metavar="FILE", type=Path, help="the HTML file to show")
    show.add_argument(
        "--label",
        default=None,
        metavar="LABEL",
        help="the widget's label, in its URL (default: the file name without .html)",
    )
    add_listen_arguments(show)
    show.add_argument(
        "--watch", action="store_true", help="update open pages whenever FILE changes"
    )
    show.add_argument(
        "--no-browser",
        action="store_true",
        help="open no browser; the URL is printed either way",
    )


def label_for(path: Path) -> str:
    """A label from a file name: ``My report.html`` -> ``My-report``."""
    return _UNSAFE.sub("-", path.stem).strip("-")[:64] or "page"


def _check_file(path: Path) -> None:
    if not path.exists():
        raise UsageError(f"no file {path}")
    if path.is_dir():
        raise UsageError(f"{path} is a folder: name an HTML file in it")


def _read(path: Path) -> str:
    try:
        return read_html(path)
    except UnicodeDecodeError as exc:
        raise CliFailed(f"{path} is not UTF-8 text ({exc.reason})") from None
    except OSError as exc:
        raise CliFailed(f"cannot read {path}: {exc.strerror or exc}") from None


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..app.facade import PyWry
    from ..app.modes import WindowMode
    from ..domain.errors import InvalidLabelError, PyWryError
    from ..domain.widget import check_label

    path: Path = args.file.expanduser()
    _check_file(path)

    def changed(text: str) -> None:
        try:
            handle.update(text)
        except PyWryError as exc:  # the app is stopping: nothing left to update
            print(f"pywry show: {exc}", file=sys.stderr, flush=True)
            return
        out.write(f"pywry show: {path} changed; open pages updated\n")
        out.flush()

    def failed(message: str) -> None:
        print(f"pywry show: {message}", file=sys.stderr, flush=True)

    watch = FileWatch(path, changed=changed, failed=failed) if args.watch else None
    html = _read(path)
    try:
        label = check_label(args.label if args.label is not None else label_for(path))
    except InvalidLabelError as exc:
        raise UsageError(str(exc)) from None
    server: dict[str, object] = {}
    if args.host is not None:
        server["host"] = args.host
    if args.port is not None:
        server["port"] = args.port
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": server})
    try:
        handle = app.show(html, label=label, title=path.name, open_browser=not args.no_browser)
    except BaseException:
        app.destroy()
        raise
    if watch is not None:
        watch.start()
    out.write(f"pywry show: serving {path} at {handle.url} (Ctrl+C stops)\n")
    out.flush()
    return serve_until_stopped(app, before_stop=watch.stop if watch else None)
