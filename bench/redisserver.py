"""A throwaway ``redis-server`` for the deploy-mode benchmarks, and a client that speaks RESP.

Each benchmark starts its own on a free loopback port, without persistence, so nothing
of a run survives it and a restart on the same port comes back empty.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time

from contenders import free_port

__all__ = ["RedisServer"]


class RedisServer:
    """A real ``redis-server`` on a loopback port, without persistence (``--save ""``).

    ``stop()`` then ``start()`` restarts it on the same port with nothing in it: what a
    Redis without persistence does on a restart.
    """

    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.dir = tempfile.mkdtemp(prefix="pywry-bench-redis-")
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                self.dir,
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while True:
            try:
                if self.command("PING") == b"+PONG":
                    return
            except OSError:
                pass
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError(f"redis-server did not start on port {self.port}")
            time.sleep(0.05)

    def stop(self) -> None:
        """SIGTERM (it saves nothing: no persistence), then wait for it."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)

    def cleanup(self) -> None:
        """Stop it and remove its (empty: no persistence) directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def pid(self) -> int | None:
        return None if self.proc is None else self.proc.pid

    def command(self, *args: str) -> bytes:
        """Send one command (RESP); its reply: a status line's text, or a bulk string."""
        parts = [f"*{len(args)}\r\n".encode()]
        for arg in args:
            raw = arg.encode()
            parts.append(b"$%d\r\n%s\r\n" % (len(raw), raw))
        with socket.create_connection(("127.0.0.1", self.port), timeout=2) as conn:
            conn.sendall(b"".join(parts))
            reply = b""
            while b"\r\n" not in reply:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                reply += chunk
            first, _, rest = reply.partition(b"\r\n")
            if not first.startswith(b"$") or first == b"$-1":
                return first
            length = int(first[1:])
            while len(rest) < length:
                chunk = conn.recv(65536)
                if not chunk:
                    break
                rest += chunk
        return rest[:length]

    def calls(self) -> dict[str, int]:
        """Commands Redis ran so far, by name (``INFO commandstats``)."""
        out = {}
        for line in self.command("INFO", "commandstats").decode().splitlines():
            if line.startswith("cmdstat_"):
                name, _, stats = line[8:].partition(":")
                out[name] = int(stats.split(",")[0].split("=")[1])
        return out
