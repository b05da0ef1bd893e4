"""The examples, run as a user runs them: a new process, a real server, a real browser.

The live dashboard, HTTPS, deploy and testing examples have modules of their own
(``test_examples_*.py``); ``test_examples_docs.py`` checks every example says how to run it.
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
from urllib.parse import urlsplit

import httpx
import pytest

from example_scripts import assert_clean, scripts

pytestmark = pytest.mark.e2e

URL = re.compile(r"https?://[^\s]+/widget/[A-Za-z0-9_-]+")


@pytest.fixture
def run_script():
    with scripts() as start:
        yield start


@pytest.mark.timeout(60)
def test_the_callbacks_example_round_trips_and_exits_when_its_tab_closes(run_script, page):
    script = run_script("callbacks.py")
    url = script.wait_line(r"pywry callbacks: (\S+)").group(1)
    page.goto(url)
    page.click("#click")
    page.wait_for_function("() => document.getElementById('response').textContent.includes('1')")
    assert page.locator("#response").inner_text() == "Button clicked! (1)"
    script.wait_line("app:click from")
    page.close()
    script.ends_cleanly()


@pytest.mark.timeout(60)
def test_with_no_display_the_url_is_printed_on_one_clear_line(run_script, page):
    script = run_script("hello.py")
    line = script.wait_line(r"pywry: open (\S+) in your browser")
    url = line.group(1)
    page.goto(url)
    assert page.locator("h1").inner_text() == "Hello Browser!"
    page.close()
    script.ends_cleanly()


@pytest.mark.timeout(60)
def test_the_multiple_widgets_example_serves_both_labels(run_script):
    script = run_script("multiple_widgets.py")
    chart = script.wait_line(r"^(https?://\S+/widget/chart)$").group(1)
    table = script.wait_line(r"^(https?://\S+/widget/table)$").group(1)
    assert "<h1>Chart</h1>" in httpx.get(chart).text
    assert "<h1>Table</h1>" in httpx.get(table).text


@pytest.mark.timeout(60)
def test_ctrl_c_during_block_stops_cleanly_and_frees_the_port(run_script):
    script = run_script("hello.py")
    url = script.wait_line(URL).group(0)
    port = urlsplit(url).port
    assert httpx.get(url).status_code == 200
    script.proc.send_signal(signal.SIGINT)
    stderr = script.ends_cleanly()
    assert "KeyboardInterrupt" not in stderr
    probe = socket.socket()
    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    probe.bind(("127.0.0.1", port))
    probe.close()


@pytest.mark.timeout(90)
def test_a_script_that_exits_without_block_never_aborts(tmp_path):
    script = tmp_path / "quick.py"
    script.write_text(
        "from pywry import PyWry, WindowMode\n"
        "app = PyWry(mode=WindowMode.BROWSER)\n"
        "h = app.show('<p>x</p>', open_browser=False)\n"
        "print(h.url, flush=True)\n"
    )
    env = {**os.environ, "PYWRY_SERVER__PORT": "0", "PYWRY_HEADLESS": "1"}
    for _ in range(8):
        result = subprocess.run(
            [sys.executable, str(script)], capture_output=True, text=True, env=env, timeout=30
        )
        assert result.returncode == 0, result.stderr
        assert_clean(result.stderr)
        assert URL.search(result.stdout)


@pytest.mark.timeout(60)
def test_the_request_response_example_answers_both_ways(run_script, page):
    script = run_script("request_response.py")
    url = script.wait_line(r"pywry request/response: (\S+)").group(1)
    page.goto(url)
    page.fill("#a", "20")
    page.fill("#b", "22")
    page.click("#add")
    page.wait_for_function("() => document.getElementById('total').textContent === '42'")
    page.click("#check")  # Python asks the page for its selection, then shows a toast
    page.wait_for_function("() => document.body.innerText.includes('You chose: red, blue')")
    page.close()
    script.ends_cleanly()


@pytest.mark.timeout(60)
def test_the_toolbar_dashboard_follows_its_controls(run_script, page):
    script = run_script("toolbar_dashboard.py")
    url = script.wait_line(r"pywry dashboard: (\S+)").group(1)
    page.goto(url)
    summary = "() => document.getElementById('summary').textContent"
    page.select_option("#metric", "profit")
    page.wait_for_function(f"() => ({summary})() === 'Sales: profit at 50%'")
    page.fill("#scale", "80")
    page.wait_for_function(f"() => ({summary})() === 'Sales: profit at 80%'")
    page.click("#reset")
    page.wait_for_function(f"() => ({summary})() === 'Sales: revenue at 50%'")
    assert page.locator("#scale").input_value() == "50"
    assert page.locator("#metric").input_value() == "revenue"
    page.click("#open-settings")
    page.fill("#title", "Q3")
    page.wait_for_function(f"() => ({summary})() === 'Q3: revenue at 50%'")
    page.keyboard.press("Escape")
    script.wait_line("settings closed; title is 'Q3'")
    page.click("#dark")
    page.wait_for_function("() => document.documentElement.classList.contains('light')")
    page.close()
    script.ends_cleanly()
