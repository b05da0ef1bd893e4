"""The counter's tests, with pywry's pytest fixtures: fake pages, no browser, no port.

    python -m pytest examples/testing

``pywry_app`` is a fresh app whose server and browser are fakes; ``pywry_page`` opens a
page of a widget that talks to the real event bridge. They come with pywry: nothing in a
``conftest.py``. See docs/testing.md.
"""

from counter_widget import show_counter


def test_a_click_counts_and_the_page_is_told(pywry_app, pywry_page):
    show_counter(pywry_app)
    page = pywry_page("counter")
    page.emit("app:click", {"by": 5}, wait=True)  # returns once the callback has run
    page.emit("app:click", {"by": 1}, wait=True)
    assert page.events("app:count") == [{"n": 5}, {"n": 6}]


def test_the_page_can_ask_for_the_total(pywry_app, pywry_page):
    show_counter(pywry_app)
    page = pywry_page()  # the app's only widget
    page.emit("app:click", {"by": 3}, wait=True)
    assert page.call("app:total") == 3


def test_reset_starts_again_for_every_page(pywry_app, pywry_page):
    show_counter(pywry_app)
    first, second = pywry_page("counter"), pywry_page("counter")
    first.emit("app:click", {"by": 2}, wait=True)
    second.emit("app:reset", {}, wait=True)
    assert first.wait_for("app:count", count=2) == {"n": 0}
    assert second.call("app:total") == 0


def test_a_bad_step_is_refused_with_an_alert(pywry_app, pywry_page):
    show_counter(pywry_app)
    page = pywry_page("counter")
    page.emit("app:click", {"by": -1}, wait=True)
    assert page.alerts[-1]["type"] == "error"
    assert "cannot count by -1" in page.alerts[-1]["message"]
    assert page.call("app:total") == 0


def test_python_can_ask_the_page_what_it_shows(pywry_app, pywry_page):
    counter = show_counter(pywry_app)
    page = pywry_page("counter")
    page.handle("app:shown", lambda data: 7)  # the page's side, as its script answers
    assert counter.request("app:shown", timeout=5) == 7
