"""pywry's widgets inside a Litestar app of your own, behind your own login.

    granian --interface asgi examples.embed_litestar:app   # from the repository root
    python examples/embed_litestar.py                      # the same, on http://127.0.0.1:8000

Your app keeps its pages, login and middleware; ``PyWryPlugin`` adds pywry's routes under
``/apps`` (a widget's page is ``/apps/widget/<label>``) and starts and stops the widgets with
the app. ``show()`` only registers a widget: it starts no server and opens no browser. Serve
it with one worker: the widgets live in that process's memory.
"""

import html
import itertools
import os

from litestar import Litestar, MediaType, Request, get
from litestar.datastructures import Cookie
from litestar.exceptions import NotAuthorizedException
from litestar.response import Redirect

from pywry import PyWry
from pywry.litestar import PyWryPlugin

widgets = PyWry()


def logged_in(connection, _handler):
    # A Litestar guard. On pywry's routes it runs for the page *and* its WebSocket, so a
    # visitor who is not logged in gets 401 for the page and no socket.
    if not connection.cookies.get("user"):
        raise NotAuthorizedException("log in first: /login")


plugin = PyWryPlugin(widgets, path="/apps", guards=[logged_in])

# A button round trip: the page emits app:click, Python answers with app:count.
clicks = 0


def on_click(data, event_type, label):
    global clicks
    clicks += 1
    counter.emit("app:count", {"clicks": clicks})


counter = widgets.show(
    """
    <h1>Counter</h1>
    <button id="click" onclick="window.pywry.emit('app:click', {})">Click me</button>
    <p>Python counted <span id="count">0</span> clicks.</p>
    <script>
      window.pywry.on('app:count', function (data) {
        document.getElementById('count').textContent = data.clicks;
      });
    </script>
    """,
    label="counter",
    callbacks={"app:click": on_click},
)


@get("/", media_type=MediaType.HTML)
async def home(request: Request) -> str:
    user = request.cookies.get("user")
    if not user:
        return '<h1>Welcome</h1><p><a id="login" href="/login">Log in</a> to see the widgets.</p>'
    return f"""
    <h1>Welcome, {html.escape(user)}</h1>
    <ul>
      <li><a id="counter" href="{counter.url}">The counter</a> (one widget, shared)</li>
      <li><a id="report" href="/report">A new report</a> (a widget per request)</li>
      <li><a id="logout" href="/logout">Log out</a></li>
    </ul>
    """


# A tiny login for the demo: a real app checks a password and signs its session cookie.
@get("/login")
async def login() -> Redirect:
    return Redirect("/", cookies=[Cookie(key="user", value="guest", httponly=True)])


@get("/logout")
async def logout() -> Redirect:
    return Redirect("/", cookies=[Cookie(key="user", value="", max_age=0)])


reports = itertools.count(1)


# The same guard protects the host's own route that makes widgets.
@get("/report", guards=[logged_in])
async def report() -> Redirect:
    number = next(reports)
    handle = widgets.show(f"<h1>Report {number}</h1>", label=f"report-{number}")
    return Redirect(handle.url)  # "/apps/widget/report-1": a path on this same app


app = Litestar(route_handlers=[home, login, logout, report], plugins=[plugin])

if __name__ == "__main__":
    from granian import Granian
    from granian.constants import Interfaces

    port = int(os.environ.get("PORT", "8000"))
    print(f"embed_litestar: open http://127.0.0.1:{port}/ in your browser", flush=True)
    # "__main__:app" is this module's app: Granian's worker serves the object made above.
    Granian("__main__:app", interface=Interfaces.ASGI, address="127.0.0.1", port=port).serve()
