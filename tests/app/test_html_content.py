"""HtmlContent: checked when made, assembled into a widget's HTML at show() time, with
everything the user gives escaped so that nothing can end its element early."""

from __future__ import annotations

import re
import warnings
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import fake_settings
from pywry import HtmlContent, InvalidArgumentError, PyWry, PyWryCompatibilityWarning
from pywry.app.content import assemble, content_html
from pywry.domain.protocol import Control
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory) -> PyWry:
    return pywry_app_factory(fake_settings())


@pytest.fixture
def files(tmp_path, monkeypatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "app.css").write_text("#box { color: red; }")
    (tmp_path / "app.js").write_text("window.ran = 'app.js';")
    (tmp_path / "more.js").write_text("window.ran += '+more.js';")
    return tmp_path


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag: str, attrs: object) -> None:
        self.tags.append(tag)


def _elements(html: str) -> list[str]:
    parser = _Tags()
    parser.feed(html)
    parser.close()
    return parser.tags


# ------------------------------------------------------------------ the value
def test_it_is_a_frozen_value_with_the_release_fields(files):
    content = HtmlContent(
        "<p>hi</p>",
        css_files="app.css",
        script_files=[Path("app.js"), "more.js"],
        inline_css="p{}",
        json_data={"a": 1},
        init_script="1",
        watch=True,
    )
    assert content.css_files == (Path("app.css"),)  # one path alone is a list of one
    assert content.script_files == (Path("app.js"), Path("more.js"))
    assert (content.html, content.inline_css, content.json_data) == ("<p>hi</p>", "p{}", {"a": 1})
    assert (content.init_script, content.watch) == ("1", True)
    with pytest.raises(AttributeError):
        content.html = "<p>other</p>"  # type: ignore[misc]
    assert HtmlContent(html="<p/>") == HtmlContent("<p/>")


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"html": b"<p/>"}, "html as a string"),
        ({"html": "<p/>", "inline_css": 3}, "inline_css as a string or None"),
        ({"html": "<p/>", "init_script": ["x"]}, "init_script as a string or None"),
        ({"html": "<p/>", "watch": "yes"}, "watch as True or False"),
        ({"html": "<p/>", "json_data": [1, 2]}, "json_data as a dict"),
        ({"html": "<p/>", "json_data": {1: "x"}}, "keys must be strings"),
        ({"html": "<p/>", "css_files": 3}, "css_files as a list of file paths"),
        ({"html": "<p/>", "script_files": [b"app.js"]}, "script_files as file paths"),
        ({"html": "<p/>", "css_files": ["https://cdn.example/x.css"]}, '<link rel="stylesheet"'),
        ({"html": "<p/>", "script_files": "//cdn.example/x.js"}, "<script src=...>"),
    ],
)
def test_a_field_of_the_wrong_kind_is_an_error_saying_what_fits(files, fields, says):
    with pytest.raises(InvalidArgumentError, match=re.escape(says)):
        HtmlContent(**fields)


def test_a_missing_file_is_an_error_naming_its_path(files):
    with pytest.raises(InvalidArgumentError) as error:
        HtmlContent("<p/>", css_files=["app.css", "styles/missing.css"])
    message = str(error.value)
    assert "css_files" in message
    assert str(files / "styles" / "missing.css") in message
    with pytest.raises(InvalidArgumentError, match="a directory at"):
        HtmlContent("<p/>", script_files=[files])


# ------------------------------------------------------------------ assembly
def test_a_fragment_gets_the_release_order_around_it(files):
    html = assemble(
        HtmlContent(
            "<div id=box></div>",
            css_files=["app.css"],
            script_files=["app.js"],
            inline_css="body{}",
            json_data={"n": 1},
            init_script="window.init = 1",
        ),
        initialization_script="window.early = 1",
    )
    order = [
        html.index('<style id="pywry-inline-css">body{}</style>'),
        html.index('<style id="pywry-css-app-'),
        html.index('<script>window.json_data = {"n":1};</script>'),
        html.index("window.ran = 'app.js';"),
        html.index("<div id=box></div>"),
        html.index("window.early = 1"),
        html.index("window.init = 1"),
    ]
    assert order == sorted(order)
    assert "_afterConnect" in html  # the init scripts wait for the bridge


def test_files_are_read_at_show_time_and_a_file_gone_since_is_an_error(files):
    content = HtmlContent("<p/>", css_files="app.css")
    (files / "app.css").write_text("#box { color: blue; }")
    assert "color: blue" in assemble(content)
    (files / "app.css").unlink()
    with pytest.raises(InvalidArgumentError, match=re.escape(str(files / "app.css"))):
        assemble(content)


def test_a_file_that_is_not_utf8_is_an_error_naming_it(files):
    (files / "bad.js").write_bytes(b"\xff\xfe\x00x")
    with pytest.raises(InvalidArgumentError, match=r"bad\.js is not UTF-8"):
        assemble(HtmlContent("<p/>", script_files="bad.js"))


def test_nothing_user_supplied_can_end_its_element(files):
    (files / "evil.js").write_text("var s = '</script><b>out</b>'; /* <!-- */")
    (files / "evil.css").write_text("p::after { content: '</style><b>out</b>'; }")
    html = assemble(
        HtmlContent(
            "<p/>",
            inline_css="a::before { content: '</STYLE >'; }",
            css_files="evil.css",
            script_files="evil.js",
            json_data={"x": "</script><b>out</b>", "y": "<!--"},
            init_script="alert('</script>')",
        ),
        initialization_script="'</Script>'",
    )
    # A browser's parser (and Python's) sees pywry's elements only, each with its text whole.
    assert _elements(html) == ["style", "style", "script", "script", "p", "script"]
    assert r"content: '<\/STYLE >'" in html  # the same text to CSS
    assert r'"x":"\u003c/script>\u003cb>out\u003c/b>"' in html  # the same string to JSON


def test_json_data_takes_what_events_take_and_arrays_with_tolist(files):
    class Array:
        def tolist(self) -> list[int]:
            return [1, 2]

    html = assemble(HtmlContent("<p/>", json_data={"a": Array(), "b": None}))
    assert 'window.json_data = {"a":[1,2],"b":null};' in html
    with pytest.raises(InvalidArgumentError, match="json_data cannot be sent as JSON"):
        assemble(HtmlContent("<p/>", json_data={"a": object()}))


@pytest.mark.parametrize(
    ("document", "before"),
    [
        ("<!doctype html><html><head><title>t</title></head><body>b</body></html>", "</head>"),
        ("<!DOCTYPE html><html><head><script>'</head>'</script></head><body></body>", "</head>"),
        ("<html><!-- </head> --><head></head><body>b</body></html>", "</head><body>"),
        ("<!doctype html><body>b</body>", "<body>"),
        ("<html><head><title>t</title><body>b</body></html>", "<body>"),
    ],
)
def test_a_whole_document_gets_the_parts_at_the_end_of_its_head(files, document, before):
    html = assemble(HtmlContent(document, inline_css="p{}"))
    part = '<style id="pywry-inline-css">p{}</style>'
    assert html.replace(part, "") == document
    assert html[html.index(part) + len(part) :].startswith(before)


def test_a_document_without_head_or_body_gets_them_after_its_doctype(files):
    html = assemble(HtmlContent("<!doctype html><p>b</p>", inline_css="p{}"))
    assert html == '<!doctype html><style id="pywry-inline-css">p{}</style><p>b</p>'


def test_a_string_stays_as_it_is(files):
    assert content_html("show()", "<p>x</p>") == "<p>x</p>"
    with pytest.raises(InvalidArgumentError, match="string or an HtmlContent"):
        content_html("show()", 3)
    with pytest.raises(InvalidArgumentError, match="initialization_script as JavaScript"):
        content_html("show()", "<p/>", 3)


# ------------------------------------------------------------------ through the app
def test_show_and_update_content_take_html_content(app, files):
    handle = app.show(HtmlContent("<p id=a>a</p>", inline_css="p{}"), label="w")
    page = FakePage(app, "w").connect()
    assert '<style id="pywry-inline-css">p{}</style><p id=a>a</p>' in page.html
    app.update_content(HtmlContent("<p id=b>b</p>", json_data={"v": 2}), "w")
    page.wait_for(Control.UPDATE_HTML)
    assert 'window.json_data = {"v":2};' in page.html
    handle.update(HtmlContent("<p id=c>c</p>", init_script="window.c = 1"))
    page.wait_for(Control.UPDATE_HTML, count=2)
    assert "window.c = 1" in page.html
    with pytest.raises(InvalidArgumentError, match="update_content"):
        app.update_content(3, "w")  # type: ignore[arg-type]


def test_initialization_script_works_and_does_not_warn(app):
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        app.show("<p/>", label="w", initialization_script="window.early = 1")
    assert "window.early = 1" in FakePage(app, "w").connect().html


def test_watch_on_html_content_warns_naming_it_and_the_page_is_shown(app):
    with pytest.warns(PyWryCompatibilityWarning) as caught:
        app.show(HtmlContent("<p id=a/>", watch=True), label="w")
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "show() ignores HtmlContent(watch=True)" in message
    assert "handle.update(html)" in message
    assert caught[0].filename == __file__
    assert "<p id=a/>" in FakePage(app, "w").connect().html
