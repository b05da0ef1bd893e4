"""Scripts written for the PyWry release: each of its names pywry does not implement warns
once, naming it and what pywry does instead; a typo stays an error naming the closest."""

from __future__ import annotations

import threading
import warnings

import pytest

from conftest import fake_settings
from pywry import InvalidArgumentError, PyWry, PyWryCompatibilityWarning, ThemeMode
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory) -> PyWry:
    return pywry_app_factory(fake_settings())


@pytest.mark.parametrize(
    ("argument", "value", "says"),
    [
        ("include_plotly", True, "<script>"),
        ("include_aggrid", True, "<script>"),
        ("include_tvchart", True, "<script>"),
        ("aggrid_theme", "quartz", "<script>"),
        ("watch", True, "handle.update(html)"),
        ("menu", object(), "native menu bar"),
    ],
)
def test_each_release_argument_of_show_warns_naming_it_and_what_pywry_does(
    app, argument, value, says
):
    with pytest.warns(PyWryCompatibilityWarning) as caught:
        handle = app.show("<p>hi</p>", label="w", **{argument: value})
    assert len(caught) == 1
    message = str(caught[0].message)
    assert f"show() ignores {argument}=" in message
    assert says in message
    assert caught[0].filename == __file__  # it points at the script's line
    assert handle.label == "w"  # and the page is shown all the same


def test_a_release_argument_that_asks_for_nothing_passes_silently(app):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.show("<p/>", include_plotly=False, watch=None, toolbars=None)


def test_toolbars_and_modals_are_shown_not_warned_about(app):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.show(
            "<p/>",
            toolbars=[{"position": "top", "items": [{"type": "button", "event": "app:go"}]}],
            modals=[{"title": "Settings", "items": []}],
        )


def test_a_typo_in_show_is_an_error_naming_the_closest_argument(app):
    with pytest.raises(InvalidArgumentError, match=r"'titel'; did you mean title\?"):
        app.show("<p/>", titel="x")
    with pytest.raises(InvalidArgumentError, match=r"did you mean toolbars\?"):
        app.show("<p/>", toolbar=[])
    with pytest.raises(InvalidArgumentError, match=r"unexpected argument 'zzz'$"):
        app.show("<p/>", zzz=1)


def test_hot_reload_in_pywry_warns_and_a_typo_is_an_error():
    with pytest.warns(PyWryCompatibilityWarning, match=r"PyWry\(\) ignores hot_reload=") as got:
        PyWry(hot_reload=True)
    assert got[0].filename == __file__
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        PyWry(hot_reload=False)
    with pytest.raises(InvalidArgumentError, match=r"did you mean hot_reload\?"):
        PyWry(hotreload=True)
    with pytest.raises(InvalidArgumentError, match=r"did you mean theme\?"):
        PyWry(them="dark")


def test_theme_mode_is_the_release_enum_and_pywry_takes_it():
    assert [m.value for m in ThemeMode] == ["light", "dark", "system"]
    assert PyWry(theme=ThemeMode.LIGHT).theme == "light"


@pytest.mark.parametrize(
    ("method", "instead"),
    [
        ("show_plotly", "include_plotlyjs=True"),
        ("show_dataframe", "to_html()"),
        ("show_tvchart", "handle.emit()"),
    ],
)
def test_the_release_chart_and_table_calls_say_what_to_use_instead(app, method, instead):
    with pytest.raises(NotImplementedError, match=rf"{method}\(\) is not available") as err:
        getattr(app, method)({"data": []}, title="x", label="chart")
    assert instead in str(err.value)


@pytest.mark.parametrize("size", ["100%", "500px", "60vw", "auto", " 40em "])
def test_show_takes_css_lengths_as_well_as_pixels(app, size):
    handle = app.show("<p/>", width=size, height=size)
    assert app._gateway.widget(handle.label).width == size
    app.show("<p/>", label="px", width=640, height=480)


@pytest.mark.parametrize("size", ["100", "wide", "-5px", 0, 1.5, True])
def test_a_width_that_is_neither_pixels_nor_a_css_length_is_refused(app, size):
    with pytest.raises(InvalidArgumentError, match="CSS length"):
        app.show("<p/>", width=size)


def test_block_with_a_label_returns_when_that_widgets_pages_close(app):
    app.show("<p/>", label="main")
    app.show("<p/>", label="other")
    main = FakePage(app, "main").connect()
    other = FakePage(app, "other").connect()
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block(label="main"), returned.set()), daemon=True).start()
    assert not returned.wait(0.4)  # its page is open
    main.close()
    assert returned.wait(5)  # after the grace period, while the other page stays open
    assert app.page_count("other") == 1
    everything = threading.Event()
    threading.Thread(target=lambda: (app.block(), everything.set()), daemon=True).start()
    assert not everything.wait(0.4)  # block() still waits for every page
    other.close()
    assert everything.wait(5)


def test_block_with_a_label_keeps_waiting_through_a_reload_and_ends_when_it_is_closed(app):
    app.show("<p/>", label="main")
    FakePage(app, "main").connect().close()
    again = FakePage(app, "main").connect()  # a reload: back within the grace period
    returned = threading.Event()
    threading.Thread(target=lambda: (app.block("main"), returned.set()), daemon=True).start()
    assert not returned.wait(0.4)
    app.close("main")
    assert returned.wait(5)
    assert again.wait_closed() > 0  # the page was told its widget closed


def test_block_with_a_label_not_shown_names_the_shown_ones(app):
    from pywry import UnknownWidgetError

    app.show("<p/>", label="main")
    with pytest.raises(UnknownWidgetError, match=r"'mian'.*'main'"):
        app.block(label="mian")
