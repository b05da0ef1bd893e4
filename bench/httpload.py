"""Fallback HTTP load client, used only when ``wrk`` is not installed.

``python bench/httpload.py URL SECONDS CONNECTIONS`` fetches URL over that many
keep-alive connections for that long and prints ``{"rps": ..., "non_2xx": ...}``.
Bodies must carry ``Content-Length`` (every contender's widget page does).
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def worker(host: str, port: int, path: str, until: float, stats: dict[str, int]) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    while time.monotonic() < until:
        writer.write(request)
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":", 1)[1])
        await reader.readexactly(length)
        stats["done"] += 1
        if not 200 <= status < 400:
            stats["non_2xx"] += 1
    writer.close()


async def main() -> None:
    url, seconds, conns = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    parts = urlsplit(url)
    stats = {"done": 0, "non_2xx": 0}
    t0 = time.monotonic()
    until = t0 + seconds
    await asyncio.gather(
        *(
            worker(parts.hostname or "127.0.0.1", parts.port or 80, parts.path, until, stats)
            for _ in range(conns)
        )
    )
    elapsed = time.monotonic() - t0
    print(json.dumps({"rps": stats["done"] / elapsed, "non_2xx": stats["non_2xx"]}))


if __name__ == "__main__":
    asyncio.run(main())
