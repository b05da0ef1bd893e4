"""What the serving ports exchange: where to listen, the TLS files, what a launch did.

Plain values, named in :mod:`pywry.domain.ports` too, where the ports that take them are.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

__all__ = ["Bind", "BoundAddress", "LaunchResult", "TlsFiles", "TlsMaterial"]


@dataclass(frozen=True, slots=True)
class TlsFiles:
    """Where the user said the certificate and key are (as configured, not yet checked)."""

    certfile: Path
    keyfile: Path
    password: str | None = None
    ca_certs: Path | None = None

    def __repr__(self) -> str:
        # The password must never reach a log line.
        return (
            f"TlsFiles(certfile={self.certfile}, keyfile={self.keyfile}, ca_certs={self.ca_certs})"
        )


@dataclass(frozen=True, slots=True)
class TlsMaterial:
    """Checked files ready to serve: an unencrypted key the server can read without a prompt."""

    certfile: Path
    keyfile: Path
    ca_certs: Path | None = None
    temporary: bool = False


@dataclass(frozen=True, slots=True)
class Bind:
    """Where and how to listen; ``lifespan``: run the app's ASGI lifespan (a Litestar app
    whose plugins start and stop with it)."""

    host: str
    port: int
    backlog: int = 2048
    tls: TlsMaterial | None = None
    lifespan: bool = False


@dataclass(frozen=True, slots=True)
class BoundAddress:
    """Where the server actually listens (port 0 resolved to the port picked)."""

    host: str
    port: int
    scheme: str = "http"


@dataclass(frozen=True, slots=True)
class LaunchResult:
    """What a browser launcher did: opened a browser, or why it did not."""

    opened: bool
    reason: str = ""
