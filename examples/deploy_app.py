"""Deploy mode on one worker: the server is the application, in the foreground.

    python examples/deploy_app.py            # or: pywry deploy examples.deploy_app:widgets

pywry's own Litestar app serves the widgets (and any route you add to it) on
``[server] host/port`` until Ctrl+C or SIGTERM; open pages are then told the server is
restarting, and reconnect by themselves once it is back. ``show()`` here registers the
widget at import time and never opens a browser.
"""

from litestar import get
from litestar.response import Redirect

from pywry import PyWry

widgets = PyWry(settings={"deploy": {"enabled": True}})
server = widgets.get_server_app()  # pywry's own Litestar app: add routes to it
clicks = 0


def on_click(data, event_type, label):
    global clicks
    clicks += 1
    dashboard.emit("app:count", {"clicks": clicks})


dashboard = widgets.show(
    """
    <h1>Dashboard</h1>
    <button id="click" onclick="window.pywry.emit('app:click', {})">Count</button>
    <p>Clicks: <span id="count">0</span></p>
    <script>
      window.pywry.on('app:count', function (data) {
        document.getElementById('count').textContent = data.clicks;
      });
    </script>
    """,
    label="dashboard",
    title="Dashboard",
    callbacks={"app:click": on_click},
)


@get("/", sync_to_thread=False)
def home() -> Redirect:
    return Redirect(dashboard.url)


server.register(home)

if __name__ == "__main__":
    widgets.deploy()
