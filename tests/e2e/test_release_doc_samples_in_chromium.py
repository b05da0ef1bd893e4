"""The release's README, quickstart, toolbar and modal samples, run as scripts in Chromium
(see ``release_sample_kit``)."""

from __future__ import annotations

import threading
from typing import Any

import pytest

from release_sample_kit import Check, Run, opened, run_sample_fixture, sample_tests  # noqa: F401 - run_sample_fixture: a fixture
from tabs import open_widget, text_of, wait_body_says, wait_text

pytestmark = pytest.mark.e2e


def check_hello_world(run: Run, page: Any) -> None:
    opened(run, page)
    assert page.locator("body").inner_text().strip() == "Hello World!"
    assert page.locator(".pywry-toolbar").count() == 0


def check_readme_toolbar(run: Run, page: Any) -> None:
    opened(run, page)
    assert text_of(page, "h1") == "Hello"
    button = page.locator(".pywry-toolbar-top button", has_text="Click me")
    assert button.get_attribute("data-event") == "app:click"
    button.click()
    wait_text(page, "h1", "Clicked!")


def check_display_html(run: Run, page: Any) -> None:
    opened(run, page)
    assert page.title() == "My First Window"
    assert text_of(page, "#greeting") == "Welcome to PyWry"
    assert text_of(page, "p") == "This is rendered HTML with styling."
    page.get_by_role("button", name="Click me!").click()
    wait_text(page, "#greeting", "You clicked the button!")


def check_callbacks(run: Run, page: Any) -> None:
    opened(run, page)
    assert text_of(page, "#greeting") == "Click the button below"
    page.get_by_role("button", name="Click me!").click()
    wait_text(page, "#greeting", "Button was clicked!")


def check_quickstart_toolbar(run: Run, page: Any) -> None:
    opened(run, page)
    assert text_of(page, "h1") == "Hello, World!"
    buttons = page.locator(".pywry-toolbar-top button")
    assert buttons.all_inner_texts() == ["Update Text", "Show Alert"]
    page.get_by_role("button", name="Update Text").click()
    wait_text(page, "h1", "Toolbar Works!")
    page.get_by_role("button", name="Show Alert").click()
    wait_body_says(page, "Hello from Python!")


def check_creating_a_toolbar(run: Run, page: Any) -> None:
    opened(run, page)
    toolbar = page.locator(".pywry-toolbar-top")
    assert toolbar.locator("button").all_inner_texts() == ["Save"]
    select = toolbar.locator("select[data-event='app:theme']")
    assert select.input_value() == "dark"
    assert "Theme" in text_of(page, ".pywry-toolbar-top")
    page.get_by_role("button", name="Save").click()
    wait_body_says(page, "Saved!")
    select.select_option("light")
    page.wait_for_function("() => document.documentElement.classList.contains('light')")
    select.select_option("dark")
    page.wait_for_function("() => document.documentElement.classList.contains('dark')")


def check_setting_component_values(run: Run, page: Any) -> None:
    opened(run, page)
    assert text_of(page, "h1") == "Settings"
    assert page.locator("#theme-select").input_value() == "dark"
    assert page.locator("#zoom-input").input_value() == "150"
    assert page.locator("#dark-toggle").is_checked()
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function(
        "() => document.getElementById('theme-select').value === 'light'"
        " && document.getElementById('zoom-input').value === '100'"
        " && !document.getElementById('dark-toggle').checked"
    )
    # The theme callback updates a "submit-btn" the sample never shows: nothing breaks.
    page.locator("#theme-select").select_option("dark")
    page.get_by_role("button", name="Reset").click()
    page.wait_for_function("() => document.getElementById('theme-select').value === 'light'")
    assert page.js_errors == []


def check_creating_a_modal(run: Run, page: Any) -> None:
    saved: list[Any] = []
    save_came = threading.Event()

    def on_save(data: Any, event_type: str, label: str) -> None:
        saved.append((event_type, label))
        save_came.set()

    sample = opened(run, page, on_save=on_save)
    assert text_of(page, "h1") == "Dashboard"
    modal = page.locator("#settings-modal")
    assert not modal.is_visible()  # hidden by default, as the sample's page says
    sample.app.emit("modal:open:settings-modal", {}, sample.labels[0])
    modal.wait_for(state="visible")
    assert text_of(page, "#settings-modal .pywry-modal-title") == "Settings"
    language = modal.locator("select[data-event='settings:language']")
    assert language.input_value() == "Python"
    assert language.locator("option").all_inner_texts() == ["Python", "JavaScript", "Rust"]
    assert modal.get_by_placeholder("Enter key...").is_visible()
    modal.get_by_role("button", name="Save").click()
    assert save_came.wait(5), "the sample's on_save was not called"
    assert saved == [("settings:save", sample.labels[0])]
    modal.get_by_role("button", name="Cancel").click()
    modal.wait_for(state="hidden")


def check_toolbar_multiple_toolbars(run: Run, page: Any) -> None:
    sample = run()
    sent: list[tuple[str, Any]] = []
    came = threading.Event()

    def record(data: Any, event_type: str) -> None:
        sent.append((event_type, data))
        came.set()

    sample.app.on("view:tables", record)  # the sample has no callbacks; listen to what it sends
    open_widget(page, sample.url)
    for position, texts in {
        "header": ["☰ Menu"],
        "top": ["Save", "Export"],
        "left": ["📊 Charts", "📋 Tables"],
    }.items():
        assert page.locator(f".pywry-toolbar-{position} button").all_inner_texts() == texts
    assert text_of(page, ".pywry-toolbar-footer") == "Status: Ready"
    assert text_of(page, "h1") == "Dashboard"
    page.get_by_role("button", name="📋 Tables").click()
    assert came.wait(5), "the Tables button sent nothing"
    assert sent[0][0] == "view:tables"


CHECKS: dict[str, Check] = {
    "readme_quick_start.py": check_hello_world,
    "readme_toolbar_callbacks.py": check_readme_toolbar,
    "quickstart_1_hello_world.py": check_hello_world,
    "quickstart_2_display_html.py": check_display_html,
    "quickstart_3_callbacks.py": check_callbacks,
    "quickstart_4_toolbar.py": check_quickstart_toolbar,
    "toolbar_creating_a_toolbar.py": check_creating_a_toolbar,
    "toolbar_setting_component_values.py": check_setting_component_values,
    "modal_creating_a_modal.py": check_creating_a_modal,
    "toolbar_multiple_toolbars.py": check_toolbar_multiple_toolbars,
}


(
    test_every_sample_has_a_check,
    test_every_sample_names_its_source,
    test_a_release_sample_runs_as_a_script,
) = sample_tests(CHECKS, docs=True)
