"""``pywry cert``: make (or reuse) the development certificate ``ssl = "self-signed"`` serves."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, TextIO

from .common import Exit

__all__ = ["add_parser", "run"]


def add_parser(commands: Any) -> None:
    cert = commands.add_parser(
        "cert",
        help="make (or reuse) the development certificate used by ssl = 'self-signed'",
        description=(
            "Make a self-signed certificate for localhost, 127.0.0.1, ::1 and the configured"
            " server host, or reuse the one already there while it is valid for more than a"
            ' week. It is what `ssl = "self-signed"` serves; browsers warn about it until'
            " you trust it. Exit codes: 0 done, 1 the pair cannot be made or kept."
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


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def run(args: argparse.Namespace, out: TextIO) -> int:
    from ..adapters.tls import CryptographyTlsLoader, describe_certificate
    from ..app.server import dev_cert_hosts
    from ..app.settings import load_settings, user_config_dir
    from ..domain.errors import TlsError

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
    return Exit.OK
