"""A keep-alive HTTP/1.1 client on one socket, for the requests that make the app emit.

The benchmarks send a request and read its answer later (after the pages have what it
emitted), and choose when a new connection is opened: which worker the kernel gives a
connection to decides which worker emits.
"""

from __future__ import annotations

import contextlib
import socket

__all__ = ["Http"]


class Http:
    """One keep-alive HTTP/1.1 connection: a request may be sent now and read later."""

    def __init__(self, port: int, host: str = "127.0.0.1", timeout: float = 10.0) -> None:
        self.hostport = f"{host}:{port}"
        self.sock = socket.create_connection((host, port), timeout=timeout)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buf = b""

    def send(self, path: str) -> None:
        self.sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {self.hostport}\r\n\r\n".encode())

    def answer(self) -> tuple[int, str]:
        """The status and body of the next response."""
        while b"\r\n\r\n" not in self.buf:
            self._more()
        head, _, rest = self.buf.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        self.buf = rest
        while len(self.buf) < length:
            self._more()
        body, self.buf = self.buf[:length], self.buf[length:]
        return status, body.decode()

    def get(self, path: str) -> tuple[int, str]:
        self.send(path)
        return self.answer()

    def _more(self) -> None:
        chunk = self.sock.recv(65536)
        if not chunk:
            raise ConnectionError("the server closed the connection")
        self.buf += chunk

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.close()
