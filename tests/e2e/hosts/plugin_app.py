"""A host Litestar app with pywry's routes under /apps, for tests/e2e/test_plugin_in_chromium.py.

Run by a real ASGI server in a subprocess (``granian --interface asgi plugin_app:app`` or
``python -m uvicorn plugin_app:app``, with this directory on ``PYTHONPATH``). A cookie set
by ``/login`` is the login; pywry's routes are guarded by it.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar, MediaType, get
from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.handlers import BaseRouteHandler
from litestar.response import Redirect

from pywry import PyWry
from pywry.litestar import PyWryPlugin

USER_COOKIE = "user"

# The page every widget of this app shows: a button that emits, and where Python's answer goes.
PAGE = """
<h1>{title}</h1>
<button id="click" onclick="window.pywry.emit('app:click', {{n: 1}})">Click</button>
<p id="answer">no answer yet</p>
<script>
  window.pywry.on('app:answer', function (data) {{
    document.getElementById('answer').textContent = data.text;
  }});
</script>
"""

widgets = PyWry()


def logged_in(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    if not connection.cookies.get(USER_COOKIE):
        raise NotAuthorizedException("log in first")


plugin = PyWryPlugin(widgets, path="/apps", guards=[logged_in])
clicks: dict[str, int] = {}


def on_click(data: Any, event_type: str, label: str) -> None:
    clicks[label] = clicks.get(label, 0) + 1
    text = f"Python saw click {clicks[label]} on {label}"
    widgets.emit("app:answer", {"text": text}, label=label)


def show(title: str, label: str) -> str:
    handle = widgets.show(PAGE.format(title=title), label=label, callbacks={"app:click": on_click})
    return handle.url


# Shown at import time, before the server starts.
SALES_URL = show("Sales", "sales")

# Binary values through the host's server: what the page sends comes back reversed.
widgets.show("<p>bytes</p>", label="bytes").on(
    "app:bytes", lambda data: widgets.emit("app:reversed", data[::-1], label="bytes")
)


@get("/", media_type=MediaType.TEXT, sync_to_thread=False)
def home() -> str:
    return "host home"


@get("/login", sync_to_thread=False)
def login(name: str = "ada") -> Redirect:
    return Redirect("/", cookies=[Cookie(key=USER_COOKIE, value=name, httponly=True)])


@get("/logout", sync_to_thread=False)
def logout() -> Redirect:
    return Redirect("/", cookies=[Cookie(key=USER_COOKIE, value="", max_age=0)])


@get("/sales", sync_to_thread=False)
def sales() -> Redirect:
    return Redirect(SALES_URL)


@get("/report/thread/{name:str}", sync_to_thread=True)
def report_in_thread(name: str) -> Redirect:
    return Redirect(show(f"Report {name}", f"report-{name}"))


@get("/report/loop/{name:str}", sync_to_thread=False)
def report_on_loop(name: str) -> Redirect:
    return Redirect(show(f"Report {name}", f"report-{name}"))


@get("/report/async/{name:str}")
async def report_async(name: str) -> Redirect:
    return Redirect(show(f"Report {name}", f"report-{name}"))


def shut_down() -> None:
    # Runs after the plugin's lifespan has stopped pywry: the tests look for this line.
    print("plugin_app: shut down", flush=True)


app = Litestar(
    route_handlers=[home, login, logout, sales, report_in_thread, report_on_loop, report_async],
    plugins=[plugin],
    on_shutdown=[shut_down],
)
