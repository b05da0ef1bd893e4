"""The ports: what the application needs from the outside world.

Each port is a small abstract class; adapters (Granian, the system browser, TLS files,
memory or Redis) implement them, and the fakes in :mod:`pywry.testing` subclass them so a
test swaps one in with a container override. The domain knows nothing of the adapters.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .widget import Widget

__all__ = [
    "Bind",
    "BoundAddress",
    "BrowserLauncher",
    "EventBus",
    "LaunchResult",
    "ServerRunner",
    "TlsFiles",
    "TlsLoader",
    "TlsMaterial",
    "Unsubscribe",
    "WidgetStore",
]

Unsubscribe = Callable[[], None]


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
    """Where and how to listen."""

    host: str
    port: int
    backlog: int = 2048
    tls: TlsMaterial | None = None


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


class ServerRunner(ABC):
    """Serves an ASGI application on a bind, on an event loop it is given."""

    @abstractmethod
    def start(self, app: object, bind: Bind, loop: asyncio.AbstractEventLoop) -> BoundAddress:
        """Serve ``app`` and return once it answers; raise ``PortInUseError``/``ServerError``."""

    @abstractmethod
    def stop(self) -> None:
        """Stop serving and free the port before returning. Idempotent."""

    @property
    @abstractmethod
    def address(self) -> BoundAddress | None:
        """The bound address while serving, else ``None``."""


class BrowserLauncher(ABC):
    """Opens a URL for the user to see."""

    @abstractmethod
    def open(self, url: str) -> LaunchResult:
        """Open ``url``; never raises for a missing browser, says why instead."""


class TlsLoader(ABC):
    """Turns configured TLS files into material the server can use."""

    @abstractmethod
    def load(self, files: TlsFiles) -> TlsMaterial:
        """Check the files and return servable material; raise ``TlsError`` naming the problem."""

    @abstractmethod
    def self_signed(self, hosts: list[str], directory: Path) -> TlsFiles:
        """A development certificate for ``hosts`` kept in ``directory`` (reused while valid)."""

    @abstractmethod
    def release(self, material: TlsMaterial) -> None:
        """Delete any temporary files made for ``material``. Idempotent."""


class WidgetStore(ABC):
    """Where widgets live (one process's memory, or Redis shared by many workers)."""

    @abstractmethod
    async def save(self, widget: Widget) -> None: ...

    @abstractmethod
    async def get(self, label: str) -> Widget | None: ...

    @abstractmethod
    async def delete(self, label: str) -> bool:
        """Remove a widget; whether it was there."""

    @abstractmethod
    async def labels(self) -> list[str]:
        """Labels of every stored widget, in the order they were first saved."""


class EventBus(ABC):
    """Carries encoded outbound frames to a widget's pages, wherever they are connected."""

    @abstractmethod
    async def start(self) -> None:
        """Connect; idempotent."""

    @abstractmethod
    async def stop(self) -> None:
        """Disconnect and drop every subscription; idempotent."""

    @abstractmethod
    def publish(self, label: str, body: bytes) -> None:
        """Send one encoded event body to every subscriber of ``label``. Never blocks."""

    @abstractmethod
    def subscribe(self, label: str, listener: Callable[[bytes], None]) -> Unsubscribe:
        """Call ``listener(body)`` on the event loop for every body published to ``label``."""
