"""Every widget read goes through the widget store: one another process saved is served here.

In deploy mode any worker serves any widget's page, whichever worker showed it; the store
is where widgets live, and this process's registry and channels are caches in front of it.
Here the widget is saved straight into the store, as another process would.
"""

from __future__ import annotations

import pytest

from conftest import fake_settings
from pywry.domain.widget import Widget
from pywry.testing import FakePage


@pytest.fixture
def app(pywry_app_factory):
    app = pywry_app_factory(fake_settings())
    app.start()  # the runtime runs: the store can be read
    return app


def test_a_widget_only_the_store_knows_is_served_and_its_pages_get_events(app):
    widget = Widget(label="elsewhere", html="<p>shown by another worker</p>", title="T")
    app.container.loop_thread().run(app.container.widget_store().save(widget))

    page = FakePage(app, "elsewhere").connect()  # the page route and socket find it
    app.emit("app:x", 1, "elsewhere")  # so does the script's side, once read

    assert page.wait_for("app:x") == 1
    assert app.container.gateway().widget("elsewhere").token == widget.token


def test_a_label_the_store_does_not_know_is_still_unknown(app):
    from pywry import UnknownWidgetError

    with pytest.raises(UnknownWidgetError, match="nowhere"):
        app.emit("app:x", 1, "nowhere")
