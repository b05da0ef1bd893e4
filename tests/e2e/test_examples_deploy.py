"""The deploy example on two Granian workers sharing a real redis-server (the session's,
on a free loopback port): both workers serve, the click count is one number in Redis, and
every page on either worker sees each answer. SIGTERM stops both workers cleanly."""

from __future__ import annotations

import os
import re
import signal

import httpx
import pytest

from example_scripts import free_port, scripts

pytestmark = [pytest.mark.e2e, pytest.mark.server]

COUNTED = re.compile(r"\(counted by process (\d+)\)")


@pytest.mark.timeout(120)
def test_two_workers_share_the_widget_and_the_count_through_redis(
    redis_url, redis_prefix, new_page
):
    port = free_port()
    with scripts() as start:
        script = start(
            "deploy_app.py",
            merge_stderr=True,  # Granian says on stderr when each worker serves
            REDIS_URL=redis_url,
            REDIS_PREFIX=redis_prefix,
            PYWRY_SERVER__PORT=str(port),
        )
        script.wait_line(f"2 worker\\(s\\), state in Redis under '{redis_prefix}'")
        script.wait_line("Started worker-", timeout=30)
        script.wait_line("Started worker-", timeout=30)
        base = f"http://127.0.0.1:{port}"

        served_by = set()
        for _ in range(40):  # new connections: the kernel hands them to either worker
            served_by.add(
                httpx.get(f"{base}/worker", headers={"Connection": "close"}).json()["pid"]
            )
            if len(served_by) == 2:
                break
        assert len(served_by) == 2, "only one worker served"

        pages, counted_by = [], set()
        while len(counted_by) < 2:  # until clicks were counted on both workers
            assert len(pages) < 12, f"every page's socket went to one worker: {counted_by}"
            page = new_page()
            page.goto(f"{base}/")  # the example's own route: a redirect to the widget
            page.wait_for_function("() => window.pywry && window.pywry.connected")
            pages.append(page)
            page.click("#click")
            clicks = len(pages)
            for each in pages:  # every page, on either worker, sees the one count
                each.wait_for_function(
                    "(n) => document.getElementById('count').textContent === String(n)",
                    arg=clicks,
                )
            worker = COUNTED.search(page.locator("#worker").inner_text())
            assert worker is not None
            counted_by.add(int(worker.group(1)))
        assert counted_by == served_by
        assert pages[0].url == f"{base}/widget/dashboard"

        os.kill(script.proc.pid, signal.SIGTERM)
        script.ends_cleanly(timeout=30)
