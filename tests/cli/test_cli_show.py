"""``pywry show FILE``: the real command in a subprocess, its real server on a free port,
fetched with real clients; ``--watch`` seen by an open page's socket."""

from __future__ import annotations

import asyncio
import json
import re
import signal
import socket
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
import websockets
from cli_process import Running, one_error_line, run_cli

from conftest import run_async

pytestmark = pytest.mark.server

CONFIG = re.compile(r'<script id="pywry-config" type="application/json">(.*?)</script>', re.S)
SERVING = re.compile(r"^pywry show: serving (?P<file>.+) at (?P<url>\S+) \(Ctrl\+C stops\)$")


def serving_url(running: Running) -> str:
    line = running.line(lambda text: SERVING.match(text) is not None)
    match = SERVING.match(line)
    assert match is not None
    return match["url"]


def port_is_free(url: str) -> bool:
    parts = urlsplit(url)
    with socket.socket() as probe:
        return probe.connect_ex((parts.hostname, parts.port)) != 0


@pytest.fixture
def page_file(tmp_path: Path) -> Path:
    path = tmp_path / "My report.html"
    path.write_text("<h1>First version</h1>", encoding="utf-8")
    return path


def test_show_serves_the_file_until_sigterm_and_frees_the_port(tmp_path, page_file):
    running = Running(tmp_path, "show", page_file.name, "--port", "0", "--no-browser")
    try:
        url = serving_url(running)
        assert urlsplit(url).path == "/widget/My-report"  # the label from the file name
        page = httpx.get(url)
        assert page.status_code == 200
        assert "<h1>First version</h1>" in page.text
        assert "<title>My report.html</title>" in page.text
        status = httpx.get(url.replace("/widget/My-report", "/_pywry/status?format=json"))
        assert status.json()["widgets"][0]["label"] == "My-report"
    finally:
        code = running.stop(signal.SIGTERM)
    assert code == 0
    assert "Traceback" not in running.stderr
    assert port_is_free(url)


def test_show_takes_a_label_and_ctrl_c_stops_it_cleanly(tmp_path, page_file):
    running = Running(
        tmp_path, "show", str(page_file), "--label", "mine", "--port", "0", "--no-browser"
    )
    try:
        url = serving_url(running)
        assert url.endswith("/widget/mine")
        assert httpx.get(url).status_code == 200
    finally:
        code = running.stop(signal.SIGINT)
    assert code == 0
    assert "Traceback" not in running.stderr


async def next_update(ws: Any, marker: str) -> dict[str, Any]:
    """The frames of a page until an update of its content that shows ``marker``."""
    while True:
        frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
        for event in frame.get("events", [frame]):
            if event.get("type") == "pywry:update-html" and marker in json.dumps(event):
                return event  # type: ignore[no-any-return]


def test_watch_updates_an_open_page_each_time_the_file_changes(tmp_path, page_file):
    running = Running(tmp_path, "show", page_file.name, "--watch", "--port", "0", "--no-browser")
    try:
        url = serving_url(running)
        config = json.loads(CONFIG.search(httpx.get(url).text).group(1))
        parts = urlsplit(url)
        socket_url = f"ws://{parts.netloc}/ws/My-report?page=tab"
        protocols = ["pywry.v1", f"pywry.token.{config['token']}"]

        async def edit_and_watch() -> None:
            async with websockets.connect(socket_url, subprotocols=protocols) as ws:
                hello = json.loads(await asyncio.wait_for(ws.recv(), 10))
                assert hello["type"] == "pywry:hello"
                page_file.write_text("<h1>Second version</h1>", encoding="utf-8")
                await next_update(ws, "Second version")
                # An editor that saves by writing another file and renaming it over this one.
                other = page_file.with_name("saved.tmp")
                other.write_text("<h1>Third version</h1>", encoding="utf-8")
                other.replace(page_file)
                await next_update(ws, "Third version")

        run_async(edit_and_watch(), timeout=40)
        running.line(lambda text: "changed; open pages updated" in text)
        assert "<h1>Third version</h1>" in httpx.get(url).text  # a page loaded now too
    finally:
        code = running.stop()
    assert code == 0


def test_watch_keeps_the_content_while_the_file_cannot_be_read(tmp_path, page_file):
    running = Running(tmp_path, "show", page_file.name, "--watch", "--port", "0", "--no-browser")
    try:
        url = serving_url(running)
        page_file.write_bytes(b"<h1>\xff\xfe not text</h1>")
        running.error_line(lambda text: "not UTF-8" in text and "keeps its content" in text)
        assert "<h1>First version</h1>" in httpx.get(url).text
        page_file.write_text("<h1>Fixed</h1>", encoding="utf-8")
        running.line(lambda text: "changed; open pages updated" in text)
        assert "<h1>Fixed</h1>" in httpx.get(url).text
    finally:
        code = running.stop()
    assert code == 0


def test_a_missing_file_or_a_folder_is_a_usage_error(tmp_path):
    done = run_cli(tmp_path, "show", "missing.html")
    assert done.returncode == 2
    assert one_error_line(done, "show") == "pywry show: error: no file missing.html"
    (tmp_path / "site").mkdir()
    done = run_cli(tmp_path, "show", "site")
    assert done.returncode == 2
    assert "site is a folder" in one_error_line(done, "show")


def test_a_file_that_is_not_text_is_a_failure_with_exit_code_1(tmp_path):
    (tmp_path / "image.html").write_bytes(b"\x89PNG\r\n\x1a\n\xff\xfe")
    done = run_cli(tmp_path, "show", "image.html")
    assert done.returncode == 1
    assert one_error_line(done, "show").startswith("pywry show: error: image.html is not UTF-8")


def test_a_bad_label_or_port_is_a_usage_error(tmp_path, page_file):
    done = run_cli(tmp_path, "show", page_file.name, "--label", "no spaces")
    assert done.returncode == 2
    assert "label" in one_error_line(done, "show")
    done = run_cli(tmp_path, "show", page_file.name, "--port", "http")
    assert done.returncode == 2
    assert "argument --port: 'http' is not a port number" in done.stderr


def test_a_port_in_use_is_one_line_with_exit_code_1(tmp_path, page_file):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = str(taken.getsockname()[1])
        done = run_cli(tmp_path, "show", page_file.name, "--port", port, "--no-browser")
    assert done.returncode == 1
    assert port in one_error_line(done, "show")


def test_show_help_lists_its_options_and_exit_codes(tmp_path):
    done = run_cli(tmp_path, "show", "--help")
    assert done.returncode == 0
    for text in ("--label", "--port", "--host", "--watch", "--no-browser", "exit codes"):
        assert text in done.stdout
