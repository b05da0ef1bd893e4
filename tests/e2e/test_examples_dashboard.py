"""The live dashboard (``make demo``): Python streams readings every 100 ms to a chart on a
<canvas>, and the page's buttons and select change what Python sends."""

from __future__ import annotations

import statistics

import pytest

from example_scripts import scripts

pytestmark = pytest.mark.e2e

# How many canvas pixels are (nearly) one colour: the chart's line and area are drawn in
# the signal's colour, so a chart that is not drawn, or drawn for another signal, has none.
PIXELS_OF = """([r, g, b]) => {
  const c = document.getElementById('chart');
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) {
    if (d[i + 3] > 200 && Math.abs(d[i] - r) + Math.abs(d[i + 1] - g) + Math.abs(d[i + 2] - b) < 30) n++;
  }
  return n;
}"""
BLUE, AMBER = [0x4F, 0x9C, 0xF9], [0xF5, 0xA5, 0x24]


@pytest.fixture
def demo():
    with scripts() as start:
        script = start("live_dashboard.py")
        yield script, script.wait_line(r"^pywry demo: (http://\S+/widget/\S+)$").group(1)


def readings(page, more: int) -> list[list[float]]:
    """Wait for ``more`` new readings; the chart's points then."""
    seen = page.evaluate("() => dashboard.received")
    page.wait_for_function("(n) => dashboard.received >= n", arg=seen + more)
    return page.evaluate("() => dashboard.points")


@pytest.mark.timeout(60)
def test_the_dashboard_streams_every_100_ms_and_draws_the_chart(demo, page):
    script, url = demo
    page.goto(url)
    page.wait_for_function("() => dashboard.series === 'cpu' && dashboard.points.length > 250")
    points = readings(page, 12)
    gaps = [b[0] - a[0] for a, b in zip(points[-11:-1], points[-10:], strict=True)]
    assert 0.08 <= statistics.median(gaps) <= 0.15, gaps  # Python's clock: 100 ms apart
    page.wait_for_function(f"() => ({PIXELS_OF})({BLUE}) > 500")
    assert page.evaluate(f"() => ({PIXELS_OF})({AMBER})") == 0
    assert page.locator("#stat-now").inner_text().endswith("%")
    assert page.locator("#series-cpu").get_attribute("class") == "on"
    page.wait_for_function(
        "() => document.getElementById('status-text').textContent.startsWith('live')"
    )

    page.click("#series-latency")  # a button: Python sends another signal
    script.wait_line("series: latency")
    page.wait_for_function(
        "() => dashboard.series === 'latency' && dashboard.last.series === 'latency'"
    )
    assert page.locator("#stat-now").inner_text().endswith("ms")
    page.wait_for_function(f"() => ({PIXELS_OF})({AMBER}) > 500 && ({PIXELS_OF})({BLUE}) === 0")

    page.select_option("#rate", "1000")  # the select: Python sends once a second
    script.wait_line("rate: one reading every 1000 ms")
    page.wait_for_function("() => dashboard.last.interval_ms === 1000")
    points = readings(page, 2)
    assert 0.9 <= points[-1][0] - points[-2][0] <= 1.5
    assert page.js_errors == []

    page.close()
    script.ends_cleanly()


@pytest.mark.timeout(60)
def test_every_open_page_follows_a_change_made_in_one(demo, new_page):
    _, url = demo
    first, second = new_page(), new_page()
    for page in (first, second):
        page.goto(url)
        page.wait_for_function("() => dashboard.series === 'cpu' && dashboard.received > 0")
    second.click("#series-requests")
    for page in (first, second):
        page.wait_for_function("() => dashboard.last.series === 'requests'")
        page.wait_for_function(
            "() => document.getElementById('series-requests').classList.contains('on')"
        )
        assert page.locator("#stat-now").inner_text().endswith("req/s")
