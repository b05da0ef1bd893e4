"""The port a Granian server listens on: resolved, checked free, reserved, and probed.

Granian 2.8 reports no bound port and says nothing when it is ready, so the runner reserves
the port itself (a ``SO_REUSEPORT`` socket bound, not listening, that Granian shares) and
connects until the server answers. Bind failures, the OS's or Granian's, become errors that
say which setting to change.
"""

from __future__ import annotations

import errno
import ipaddress
import socket

from ...domain.errors import PortInUseError, ServerError

__all__ = [
    "accepts",
    "bind_error",
    "check_free",
    "host_port",
    "in_use",
    "loopback_for",
    "reserve_checked",
    "resolve",
]


def host_port(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def in_use(host: str, port: int) -> PortInUseError:
    return PortInUseError(
        f"port {host_port(host, port)} is already in use, by another program or by another "
        "PyWry() app of this process (one app serves any number of widgets: show them all "
        "from it, or destroy() the other first). Set PYWRY_SERVER__PORT (or `port` in the "
        "[server] table of pywry.toml) to another port, or to 0 to let pywry pick a free one"
    )


def bind_error(exc: BaseException, host: str, port: int) -> ServerError | PortInUseError:
    """Turn an OS or Granian bind failure into an error that says what to change."""
    code = exc.errno if isinstance(exc, OSError) else None
    text = str(exc).split("\n", 1)[0].strip()  # Granian appends a Rust backtrace
    where = host_port(host, port)
    if code == errno.EADDRINUSE or "Address already in use" in text:
        return in_use(host, port)
    if code in (errno.EACCES, errno.EPERM) or "Permission denied" in text:
        return ServerError(
            f"cannot listen on {where}: permission denied (ports below 1024 need administrator "
            "rights). Set PYWRY_SERVER__PORT (or `port` in [server] of pywry.toml) to a port "
            "above 1023, or to 0 to let pywry pick a free one"
        )
    if code == errno.EADDRNOTAVAIL or "Cannot assign requested address" in text:
        return ServerError(
            f"cannot listen on {where}: this machine has no address {host}. Set "
            "PYWRY_SERVER__HOST (or `host` in [server] of pywry.toml) to 127.0.0.1 or to an "
            "address of this machine"
        )
    return ServerError(f"the server could not start on {where}: {text or type(exc).__name__}")


def resolve(host: str) -> tuple[socket.AddressFamily, str]:
    """The address family and IP literal to bind for ``host`` (names are resolved once)."""
    literal = host.strip("[]") or "0.0.0.0"  # noqa: S104 - an empty host means every interface
    try:
        ip = ipaddress.ip_address(literal)
    except ValueError:
        try:
            info = socket.getaddrinfo(literal, None, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise ServerError(
                f"cannot listen on host {host!r}: the name does not resolve ({exc}). Set "
                "PYWRY_SERVER__HOST (or `host` in [server] of pywry.toml) to an IP address "
                "such as 127.0.0.1"
            ) from None
        return info[0][0], str(info[0][4][0])
    return (socket.AF_INET6 if ip.version == 6 else socket.AF_INET), str(ip)


def loopback_for(family: socket.AddressFamily, ip: str) -> str:
    """Where a local client reaches a server bound to ``ip`` (wildcards -> loopback)."""
    if ipaddress.ip_address(ip).is_unspecified:
        return "::1" if family == socket.AF_INET6 else "127.0.0.1"
    return ip


def _socket(family: socket.AddressFamily, *, reuse_addr: bool, reuse_port: bool) -> socket.socket:
    sock = socket.socket(family, socket.SOCK_STREAM)
    if reuse_addr:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port and hasattr(socket, "SO_REUSEPORT"):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    return sock


def check_free(family: socket.AddressFamily, ip: str, port: int) -> None:
    """Bind like a plain server would (no SO_REUSEPORT): fails for any listener, Granian's too."""
    with _socket(family, reuse_addr=True, reuse_port=False) as probe:
        probe.bind((ip, port))


def _reserve(
    family: socket.AddressFamily, ip: str, port: int, *, reuse_addr: bool = False
) -> socket.socket:
    """Hold ``ip:port`` (0 picks one) without listening; Granian shares it via SO_REUSEPORT.

    No SO_REUSEADDR by default, so another pywry's probe fails on it while Granian is still
    starting; ``reuse_addr`` only for a port held by nothing but closed connections.
    """
    sock = _socket(family, reuse_addr=reuse_addr, reuse_port=True)
    try:
        sock.bind((ip, port))
    except BaseException:
        sock.close()
        raise
    return sock


def reserve_checked(family: socket.AddressFamily, ip: str, port: int, local: str) -> socket.socket:
    """Reserve ``ip:port``, taking over a port that only closed connections still hold."""
    try:
        return _reserve(family, ip, port)
    except OSError as exc:
        # The probe (SO_REUSEADDR) bound, so no program listens there: what holds the port
        # is connections of an earlier server waiting out TIME_WAIT (one that closed them
        # first, without SO_REUSEPORT). Every server may take the port over then.
        if port == 0 or exc.errno != errno.EADDRINUSE or accepts(family, local, port):
            raise
        sock = _reserve(family, ip, port, reuse_addr=True)
        # Off again once bound: another pywry's probe must keep failing on the port while
        # this one's Granian starts, or both would bind it (SO_REUSEPORT) and share it.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 0)
        return sock


def accepts(family: socket.AddressFamily, ip: str, port: int) -> bool:
    """Whether a server answers a connection on ``ip:port`` within a second."""
    with _socket(family, reuse_addr=False, reuse_port=False) as client:
        client.settimeout(1.0)
        try:
            client.connect((ip, port))
        except OSError:
            return False
    return True
