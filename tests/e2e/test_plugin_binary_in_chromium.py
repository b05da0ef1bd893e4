"""Binary values through the plugin, under each real server (Granian and uvicorn): bytes a
page sends reach Python, and Python's reach the page, in pieces, through the host's app."""

from __future__ import annotations

import pytest

from test_plugin_in_chromium import CONNECTED, host, log_in  # noqa: F401 - host: a fixture

pytestmark = [pytest.mark.e2e, pytest.mark.server]


def test_bytes_go_both_ways_through_the_host_server(host, page):  # noqa: F811 - the fixture
    log_in(page, host.base)
    page.goto(host.base + "/apps/widget/bytes")
    page.wait_for_function(CONNECTED)
    same = page.evaluate(
        """() => new Promise(resolve => {
          const sent = new Uint8Array(3 * 1024 * 1024 + 5);  // four pieces each way
          for (let i = 0; i < sent.length; i++) sent[i] = (i * 13) & 255;
          window.pywry.on('app:reversed', back => {
            const n = sent.length;
            let ok = back instanceof Uint8Array && back.length === n;
            for (let i = 0; ok && i < n; i++) ok = back[i] === sent[n - 1 - i];
            resolve(ok);
          });
          window.pywry.emit('app:bytes', sent);
        })"""
    )
    assert same is True
