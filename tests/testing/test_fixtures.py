"""The pytest fixtures and the fake page, as a user's tests meet them."""

from __future__ import annotations

import textwrap
from typing import Any

import pytest

from pywry import InvalidArgumentError
from pywry.testing import FakePage

pytest_plugins = ["pytester"]


def test_the_app_is_wired_with_fakes_and_opens_nothing(pywry_app):
    handle = pywry_app.show("<p>hi</p>", label="w")
    assert handle.url == "http://fake-server.invalid:8765/widget/w"  # never a real address
    assert pywry_app.container.browser_launcher().opened == [handle.url]


def test_a_page_opens_the_only_widget_without_its_label(pywry_app, pywry_page):
    pywry_app.show("<p>hi</p>", label="w")
    page = pywry_page()
    assert isinstance(page, FakePage)
    assert page.label == "w"
    assert page.html == "<p>hi</p>"


def test_with_several_widgets_the_page_asks_which(pywry_app, pywry_page):
    pywry_app.show("<p/>", label="a")
    pywry_app.show("<p/>", label="b")
    with pytest.raises(
        InvalidArgumentError, match=r"name the widget to open: the app has \['a', 'b'\]"
    ):
        pywry_page()


def test_a_page_sees_content_updates_and_alerts_as_data(pywry_app, pywry_page):
    handle = pywry_app.show("<p>one</p>", label="w", title="First")
    page = pywry_page("w")
    assert (page.html, page.title) == ("<p>one</p>", "First")
    pywry_app.update_content("<p>two</p>", "w")
    handle.alert("Saved", alert_type="success")
    page.wait_for("pywry:alert")
    assert page.html == "<p>two</p>"
    assert [(a["message"], a["type"]) for a in page.alerts] == [("Saved", "success")]


def test_a_callback_error_is_raised_by_the_emit_that_waited_for_it(pywry_app, pywry_page):
    def broken(data: Any) -> None:
        raise ValueError(f"bad {data}")

    pywry_app.show("<p/>", label="w", callbacks={"app:go": broken})
    page = pywry_page("w")
    with pytest.raises(ValueError, match="bad 1") as raised:
        page.emit("app:go", 1, wait=True)
    assert "for 'app:go' of widget 'w'" in raised.value.__notes__[0]
    assert page.wait_for("pywry:error")["error"] == "ValueError"  # the page is told as ever


def test_a_callback_that_exits_fails_the_test_without_stopping_the_run(pywry_app, pywry_page):
    def leaving(data: Any) -> None:
        raise SystemExit(3)

    pywry_app.show("<p/>", label="w", callbacks={"app:go": leaving})
    with pytest.raises(RuntimeError, match=r"a callback raised SystemExit\(3\)"):
        pywry_page("w").emit("app:go", 1, wait=True)


def test_an_app_that_logs_callback_errors_leaves_them_to_the_page(pywry_app_factory, pywry_page):
    app = pywry_app_factory(callback_errors="log")
    app.show("<p/>", label="w", callbacks={"app:go": lambda data: 1 / 0})
    page = pywry_page("w", app=app)
    page.emit("app:go", 1, wait=True)
    assert page.wait_for("pywry:error")["error"] == "ZeroDivisionError"


def test_a_bad_callback_errors_choice_is_named(pywry_app_factory):
    with pytest.raises(
        InvalidArgumentError, match="callback_errors must be 'raise' or 'log', got 'quiet'"
    ):
        pywry_app_factory(callback_errors="quiet")


def test_a_page_answers_the_scripts_requests(pywry_app, pywry_page):
    handle = pywry_app.show("<p/>", label="w")
    pywry_page("w").handle("app:size", lambda data: {"width": 640 * data})
    assert handle.request("app:size", 2, timeout=5) == {"width": 1280}


def run_user_tests(pytester: pytest.Pytester, source: str) -> pytest.RunResult:
    pytester.makepyfile(test_user=textwrap.dedent(source))
    return pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")


def test_an_async_test_awaits_its_page(pytester):
    # In a run of its own: the Chromium tests' sync Playwright keeps a loop in this thread.
    result = run_user_tests(
        pytester,
        """
        import pytest

        from pywry.testing import AsyncFakePage

        @pytest.fixture
        def anyio_backend():
            return "asyncio"

        @pytest.mark.anyio
        async def test_awaits(pywry_app, pywry_async_page):
            async def double(data):
                return data * 2

            handle = pywry_app.show("<p/>", label="w", callbacks={"app:double": double})
            page = await pywry_async_page("w")
            assert isinstance(page, AsyncFakePage)
            assert await page.call("app:double", 21) == 42
            handle.emit("app:note", "hi")
            assert await page.wait_for("app:note") == "hi"
            await page.emit("app:double", 1, wait=True)
            assert page.html == "<p/>"
        """,
    )
    result.assert_outcomes(passed=1)


def test_a_callback_error_nobody_waited_for_fails_the_test_at_its_end(pytester):
    result = run_user_tests(
        pytester,
        """
        def test_clicks(pywry_app, pywry_page):
            pywry_app.show("<p/>", label="w", callbacks={"app:go": lambda d: d["missing"]})
            page = pywry_page("w")
            page.emit("app:go", {})
            page.wait_for("pywry:error")
        """,
    )
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*KeyError: 'missing'*", "*raised by callback*'app:go'*"])


def test_the_isolation_marker_keeps_the_machines_settings_out(pytester, monkeypatch):
    monkeypatch.setenv("PYWRY_SERVER__PORT", "9999")
    (pytester.path / "pywry.toml").write_text('[server]\nwidget_prefix = "/mine"\n')
    result = run_user_tests(
        pytester,
        """
        import pytest

        @pytest.mark.pywry_isolated
        def test_apart(pywry_app):
            server = pywry_app.settings.server
            assert (server.port, server.widget_prefix) == (8765, "/widget")

        def test_not_apart(pywry_app):
            server = pywry_app.settings.server
            assert (server.port, server.widget_prefix) == (9999, "/mine")
        """,
    )
    result.assert_outcomes(passed=2)
