"""Binary data both ways: Python draws an image and sends its PNG bytes; the page sends back
any file dropped on it (or picked), and Python says what it got.

Run it with ``python examples/binary_image.py`` and open the URL it prints. "New image" asks
Python for another picture; drop a file on the page to send its bytes to Python. Neither
way uses base64: the bytes travel as binary WebSocket messages.
"""

from __future__ import annotations

import hashlib
import random
import struct
import zlib

from pywry import PyWry, WindowMode

PAGE = """
<style>
  body { font: 15px system-ui, sans-serif; margin: 24px; }
  #drop { border: 2px dashed #888; border-radius: 8px; padding: 24px; margin-top: 16px; }
  #drop.over { border-color: #4a9eff; }
  img { display: block; margin-top: 12px; border-radius: 6px; image-rendering: pixelated; }
</style>
<h1>Binary data both ways</h1>
<button id="again">New image</button>
<img id="shot" width="256" height="256" alt="an image drawn by Python">
<div id="drop">Drop a file here, or <input type="file" id="pick"></div>
<p id="answer"></p>
<script>
  let shown = null;
  window.pywry.on('app:image', d => {
    if (shown) URL.revokeObjectURL(shown);
    shown = URL.createObjectURL(new Blob([d.png], {type: 'image/png'}));  // d.png: Uint8Array
    document.getElementById('shot').src = shown;
  });
  window.pywry.on('app:received', d => {
    document.getElementById('answer').textContent =
      `Python got ${d.name}: ${d.size} bytes, SHA-256 ${d.sha256.slice(0, 16)}...`;
  });
  document.getElementById('again').onclick = () => window.pywry.emit('app:again', {});
  const send = file => window.pywry.emit('app:file', {name: file.name, content: file});
  document.getElementById('pick').onchange = e => e.target.files[0] && send(e.target.files[0]);
  const drop = document.getElementById('drop');
  drop.ondragover = e => { e.preventDefault(); drop.classList.add('over'); };
  drop.ondragleave = () => drop.classList.remove('over');
  drop.ondrop = e => {
    e.preventDefault();
    drop.classList.remove('over');
    if (e.dataTransfer.files[0]) send(e.dataTransfer.files[0]);
  };
</script>
"""


def png(width: int, height: int, pixel) -> bytes:
    """A truecolour PNG of ``pixel(x, y) -> (r, g, b)``, with the standard library only."""
    rows = b"".join(
        b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height)
    )

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def picture() -> bytes:
    """A random colour field, 64 x 64 (drawn 4x larger by the page)."""
    a, b = random.randrange(256), random.randrange(256)  # noqa: S311 - colours, not secrets
    return png(64, 64, lambda x, y: ((x * 4 + a) % 256, (y * 4 + b) % 256, (x ^ y) * 4 % 256))


def main() -> None:
    app = PyWry(mode=WindowMode.BROWSER)
    handle = app.show(PAGE, label="binary", title="pywry: binary data")

    def send_picture(_data=None) -> None:
        handle.emit("app:image", {"png": picture()})

    def on_file(data) -> None:
        content: bytes = data["content"]
        handle.emit(
            "app:received",
            {
                "name": data["name"],
                "size": len(content),
                "sha256": hashlib.sha256(content).hexdigest(),
            },
        )

    handle.on("pywry:ready", send_picture)
    handle.on("app:again", send_picture)
    handle.on("app:file", on_file)
    print(f"pywry binary: {handle.url}", flush=True)
    app.block()


if __name__ == "__main__":
    main()
