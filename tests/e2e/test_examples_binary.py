"""The binary data example: a PNG from Python shows in the page, a picked file reaches
Python as bytes, and Python's answer names its size and SHA-256."""

from __future__ import annotations

import hashlib
import os

import pytest

from example_scripts import scripts

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(60)
def test_an_image_goes_to_the_page_and_a_file_comes_back_as_bytes(page, tmp_path):
    content = os.urandom(1_500_000)  # two pieces on the wire
    picked = tmp_path / "upload.bin"
    picked.write_bytes(content)
    with scripts() as start:
        script = start("binary_image.py")
        url = script.wait_line(r"pywry binary: (\S+)").group(1)
        page.goto(url)
        # The PNG Python drew decodes as an image of 64 x 64 pixels.
        page.wait_for_function(
            "() => { const i = document.getElementById('shot');"
            " return i.complete && i.naturalWidth === 64 && i.naturalHeight === 64; }"
        )
        first = page.get_attribute("#shot", "src")
        page.click("#again")
        page.wait_for_function(f"() => document.getElementById('shot').src !== {first!r}")
        page.set_input_files("#pick", str(picked))
        page.wait_for_function("() => document.getElementById('answer').textContent !== ''")
        answer = page.inner_text("#answer")
        assert answer.startswith(f"Python got upload.bin: {len(content)} bytes")
        assert hashlib.sha256(content).hexdigest()[:16] in answer
        page.close()
        script.ends_cleanly()
