"""Access lines: made where logging shows them, as a script run by a user sees it.

Granian builds a request's access line before logging decides anything, so pywry has it
build them only when, as the server starts, a handler would show INFO on ``granian.access``
(``[server] access_log``, on by default). Each case runs a script in a process of its own,
with the real server on 127.0.0.1, and reads what it printed.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.server

SCRIPT = textwrap.dedent(
    """
    import logging, sys
    import httpx
    from pywry import PyWry, WindowMode

    if sys.argv[1] == "before":
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
    app = PyWry(mode=WindowMode.BROWSER, settings={"server": {"port": 0}})
    handle = app.show("<p>logged</p>", label="logged")
    if sys.argv[1] == "after":
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(name)s %(message)s")
    assert httpx.get(handle.url).status_code == 200
    app.destroy()
    print("served", flush=True)
    """
)


def run(when: str) -> str:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYWRY_")}
    env.update(PYWRY_HEADLESS="1", PYWRY_CONFIG_FILE=os.devnull)
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, when], capture_output=True, text=True, env=env, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "served" in done.stdout
    return done.stdout


@pytest.mark.timeout(90)
def test_a_script_that_sets_up_logging_first_gets_a_line_per_request():
    out = run("before")
    lines = [line for line in out.splitlines() if line.startswith("granian.access")]
    assert any("/widget/logged" in line for line in lines), out


@pytest.mark.timeout(90)
def test_with_no_handler_when_the_server_starts_no_access_line_is_made():
    out = run("after")  # logging is set up only once the server runs: as documented
    assert not [line for line in out.splitlines() if line.startswith("granian.access")], out
