"""The examples of docs/testing.md run as a user's project and pass (the last one drives
Debian's Chromium, as the guide's recipe says)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

GUIDE = Path(__file__).resolve().parents[2] / "docs" / "testing.md"


def examples() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.S)


@pytest.mark.timeout(120)
def test_every_example_of_the_testing_guide_passes(pytester: pytest.Pytester) -> None:
    found = examples()
    widgets, quick, calls, async_tests, unit, overrides, browser = found
    assert "container.server_runner.override" in overrides  # a fragment, not a test
    pytester.makepyfile(
        widgets=widgets,
        test_quick_start=quick,
        test_calls=calls,
        test_async=async_tests,
        test_without_pytest="from widgets import show_counter\n" + unit,
        test_in_a_browser=browser,
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=6)
