"""The HTTPS example: pywry's development certificate serves the page and its socket."""

from __future__ import annotations

import ssl

import httpx
import pytest

from example_scripts import scripts

pytestmark = pytest.mark.e2e


@pytest.mark.timeout(60)
def test_the_page_and_its_socket_are_served_over_tls_with_the_dev_certificate(browser, tmp_path):
    config = tmp_path / "xdg"  # where pywry keeps the certificate: not the developer's
    with scripts() as start:
        script = start("https_dev_cert.py", XDG_CONFIG_HOME=str(config))
        url = script.wait_line(r"pywry https: (\S+)").group(1)
        assert url.startswith("https://127.0.0.1:")

        cert = config / "pywry" / "certs" / "dev-cert.pem"
        with pytest.raises(httpx.ConnectError):
            httpx.get(url)  # not trusted by default: it is self-signed
        trusted = ssl.create_default_context(cafile=cert)
        assert "HTTPS with the development certificate" in httpx.get(url, verify=trusted).text

        context = browser.new_context(ignore_https_errors=True)  # as if the user trusted it
        try:
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.goto(url)
            page.wait_for_function(
                "() => document.getElementById('socket').textContent === 'wss: (connected)'"
            )
            assert page.locator("#page-protocol").inner_text() == "https:"
            page.click("#ping")
            page.wait_for_function(
                "() => document.getElementById('answer').textContent"
                ".startsWith('Python answered over wss://')"
            )
            page.close()
        finally:
            context.close()
        script.ends_cleanly()
