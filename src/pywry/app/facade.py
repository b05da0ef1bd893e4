"""``PyWry``: the synchronous API a script uses.

The server stack (Litestar, Granian) is imported on first need, not by ``import pywry``.
The container, the one place that wires adapters, is built lazily too, so a test can
override its providers (``app.container.browser_launcher.override(...)``) before ``show()``.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from ..domain.content import HtmlContent
from ..domain.errors import IllegalTransitionError, InvalidArgumentError
from ..domain.protocol import Control
from ..domain.widget import Widget, check_content, check_label, check_size, new_label
from .compat import ReleaseAPI, apply_log_settings, check_arguments, remember_app
from .content import content_html
from .deploy_api import DeployAPI
from .handle import WidgetHandle, alert_payload
from .listeners import Callback, adapt
from .modes import WindowMode, check_theme, resolve_mode
from .server import stop_at_exit
from .settings import Settings, load_settings

if TYPE_CHECKING:
    from .container import Container
    from .gateway import Gateway
    from .server import BrowserServer

__all__ = ["PyWry"]

log = logging.getLogger("pywry")

_STOP_WAIT = 30.0  # seconds a destroy() waits for a stop another thread is doing


class PyWry(DeployAPI, ReleaseAPI):
    """Show HTML widgets in the browser and exchange events with them.

    Args:
        mode: ``WindowMode.BROWSER`` (the default here); native modes fall back to
            browser mode on machines without a display.
        theme: ``"dark"``, ``"light"`` or ``"system"``.
        title: Default page title of widgets.
        width: Default width (kept for API compatibility; a browser tab sizes itself).
        height: Default height.
        settings: A :class:`Settings` or a nested dict such as ``{"server": {"port": 0}}``;
            it overrides ``pywry.toml``, the user config file and ``PYWRY_*`` variables.
    """

    def __init__(
        self,
        mode: WindowMode | str | None = None,
        theme: Any = None,
        title: str | None = None,
        width: int | None = None,
        height: int | None = None,
        settings: Settings | Mapping[str, Any] | None = None,
        **release: Any,
    ) -> None:
        check_arguments("PyWry()", release, PyWry.__init__)
        self._settings = load_settings(explicit=settings)
        self.mode = resolve_mode(mode, self._settings.window.mode)
        window = self._settings.window
        self.theme = check_theme(theme or window.theme)
        if title is not None and not isinstance(title, str):
            raise InvalidArgumentError(f"PyWry() takes a string title, got {type(title).__name__}")
        check_size("PyWry()", width=width, height=height)
        self.title = title if title is not None else window.title
        self.width = width if width is not None else window.width
        self.height = height if height is not None else window.height
        self._container: Container | None = None
        self._gateway_ref: Gateway | None = None
        self._exit_hook: Callable[[], None] | None = None
        self._lock = threading.RLock()
        self._destroyed = False
        self._at_exit = False  # destroyed by the interpreter's exit, not by the script
        self._stopping: threading.Thread | None = None  # a stop handed off by the loop
        self._init_hosting()
        apply_log_settings(self._settings.log)
        remember_app(self)

    # ------------------------------------------------------------------ wiring
    @property
    def settings(self) -> Settings:
        return self._settings

    @property
    def container(self) -> Container:
        """The dependency container of this app (built on first use)."""
        with self._lock:
            if self._container is None:
                from .container import Container

                self._container = self._wire_hosting(
                    Container(settings=self._settings, theme=self.theme)
                )
            return self._container

    @property
    def _gateway(self) -> Gateway:
        # Kept: every call goes through it, and a container lookup takes a lock.
        gateway = self._gateway_ref
        if gateway is None:
            gateway = self._gateway_ref = self.container.gateway()
        return gateway

    @property
    def _server(self) -> BrowserServer:
        server: BrowserServer = self.container.server()
        return server

    # ------------------------------------------------------------------ widgets
    def show(
        self,
        content: str | HtmlContent,
        title: str | None = None,
        width: int | str | None = None,
        height: int | str | None = None,
        callbacks: Mapping[str, Callback] | None = None,
        label: str | None = None,
        *,
        initialization_script: str | None = None,
        open_browser: bool = True,
        sync_to_thread: bool = True,
        **release: Any,
    ) -> WidgetHandle:
        """Show ``content`` (HTML, or an ``HtmlContent``) and return its handle.

        Showing an existing ``label`` again replaces its content; its open pages update.
        ``sync_to_thread=False`` runs the plain (not ``async def``) functions of
        ``callbacks`` on the server's event loop instead of a worker thread: for quick code
        only, since every page waits while one runs (see :meth:`on`).
        """
        content = content_html("show()", content, initialization_script)  # files read now
        content, drawn, secrets = self._show_release(content, release)  # toolbars=, modals=
        check_content("show()", content, title=title, width=width, height=height)
        if callbacks is not None and not isinstance(callbacks, Mapping):
            raise InvalidArgumentError(
                "show() takes callbacks as a mapping of event name to callable, such as "
                f"{{'app:click': on_click}}; got {type(callbacks).__name__}"
            )
        label = new_label() if label is None else check_label(label)
        listeners = self._secret_listeners(secrets, label) + [
            adapt(name, fn, label, sync_to_thread=sync_to_thread)
            for name, fn in (callbacks or {}).items()
        ]
        self._check_alive()
        gateway = self._gateway
        existing = gateway.has(label)
        if existing:
            widget = gateway.widget(label).revised(html=content, title=title, surround=drawn)
        else:
            title = title or self.title
            widget = Widget(label, content, title, width=width, height=height, surround=drawn)
        # Showing a label again replaces what its previous show() registered.
        self.container.callback_table().replace_shown(label, listeners)
        gateway.register(widget, shown=True)
        handle = WidgetHandle(self, label)
        if self._hosted_base is None and self._settings.server.auto_start:
            self._start()
            if open_browser and not (existing and gateway.page_count(label)):
                launcher = self.container.browser_launcher()
                if self._on_loop():
                    # A browser can take seconds to start; the server must not wait for it.
                    threading.Thread(
                        target=launcher.open, args=(handle.url,), name="pywry-browser", daemon=True
                    ).start()
                else:
                    launcher.open(handle.url)
        return handle

    def _start(self) -> str:
        with self._lock:
            url = self._server.ensure_started()
            if self._exit_hook is None:
                self._exit_hook = stop_at_exit(self, self.container.exit_hooks())
            return url

    def _check_alive(self) -> None:
        if self._destroyed:
            raise IllegalTransitionError("this PyWry app was destroyed; create a new PyWry()")

    def get_widget_url(self, label: str) -> str:
        """The URL of a shown widget's page; ``UnknownWidgetError`` for any other label."""
        self._gateway.widget(label)  # raises UnknownWidgetError with the known labels
        return self._url_for(label)

    def _url_for(self, label: str) -> str:
        self._check_alive()  # a destroyed app's server is gone, and so is its URL
        if self._hosted_base is not None:
            return self._host(self._hosted_base, plugin=False).url_for(label)
        base = self._server.base_url or self._server.planned_base_url()
        return f"{base}{self._settings.server.widget_prefix}/{label}"

    def emit(self, event_type: str, data: Any = None, label: str | None = None) -> None:
        """Send an event to a widget's pages, or to every widget's when ``label`` is None."""
        if self._destroyed:
            if self._at_exit:
                return  # the interpreter is exiting: a thread still emitting is not at fault
            if self._container is None:
                self._check_alive()  # else the gateway says so, once its server has stopped
        self._gateway.emit(event_type, data, label)

    send = emit

    def alert(
        self,
        message: str,
        alert_type: str = "info",
        title: str | None = None,
        duration: float | None = None,
        callback_event: str | None = None,
        position: str = "top-right",
        label: str | None = None,
    ) -> None:
        """Show a toast in a widget's pages (every widget's when ``label`` is None)."""
        self._check_alive()
        payload = alert_payload(message, alert_type, title, duration, callback_event, position)
        self._gateway.emit(Control.ALERT, payload, label)

    def request(
        self, event_type: str, data: Any = None, label: str | None = None, *, timeout: float = 30.0
    ) -> Any:
        """Ask a widget's pages (the only widget's when ``label`` is None) and return the
        first answer of a ``window.pywry.handle(event_type, fn)`` handler.

        Waits for a page to open if none is. Raises :class:`PageCallError` when the
        handler throws (or no page has one), :class:`PyWryTimeoutError` after ``timeout``
        seconds. It blocks: on the server's event loop (an ``async def`` callback) use
        :meth:`request_async`; a plain callback on its worker thread may use it.
        """
        self._check_alive()
        return self._gateway.request(label, event_type, data, timeout)

    async def request_async(
        self, event_type: str, data: Any = None, label: str | None = None, *, timeout: float = 30.0
    ) -> Any:
        """:meth:`request` for ``async def`` code: await it, on any event loop."""
        self._check_alive()
        return await self._gateway.request_async(label, event_type, data, timeout)

    def on(
        self,
        event_type: str,
        callback: Callback,
        label: str | None = None,
        *,
        sync_to_thread: bool = True,
    ) -> PyWry:
        """Call ``callback`` for ``event_type`` from one widget's pages, or every widget's.

        Where it runs: an ``async def`` callback on the server's event loop; a plain
        function on a worker thread, one widget's calls in order, so a slow one never
        delays another widget. ``sync_to_thread=False`` runs a plain function on the event
        loop instead, which saves two thread hops per event but blocks every page while it
        runs: only for code that never waits (no I/O, no sleep, no heavy computation).
        """
        self._check_alive()
        if label is not None:
            check_label(label)
        listener = adapt(event_type, callback, label, sync_to_thread=sync_to_thread)
        self.container.callback_table().add(listener)
        return self

    def off(
        self, event_type: str, callback: Callback | None = None, label: str | None = None
    ) -> int:
        """Remove callbacks; returns how many were removed."""
        removed: int = self.container.callback_table().remove(event_type, callback, label)
        return removed

    def update_content(self, html: str | HtmlContent, label: str) -> None:
        """Replace a widget's content (HTML or ``HtmlContent``); its pages update in place."""
        self._check_alive()
        self._gateway.update(label, content_html("update_content()", html))

    def close(self, label: str | None = None) -> None:
        """Close one widget (every widget when ``label`` is None): pages told, URL gone.

        After ``destroy()`` every widget is closed already: nothing to do (a ``finally:``
        that closes must not fail).
        """
        if self._destroyed:
            return
        gateway = self._gateway
        for name in [label] if label is not None else gateway.labels():
            gateway.close(name)

    def is_open(self, label: str | None = None) -> bool:
        """Whether a widget (any widget when ``label`` is None) is shown and not closed."""
        if self._container is None or self._destroyed:
            return False
        gateway = self._gateway
        return gateway.has(label) if label is not None else bool(gateway.labels())

    def get_labels(self) -> list[str]:
        """Labels of the widgets shown and not closed, oldest first."""
        return [] if self._container is None or self._destroyed else self._gateway.labels()

    def page_count(self, label: str | None = None) -> int:
        """How many pages are connected (to one widget, or in all)."""
        if self._container is None or self._destroyed:
            return 0
        return self._gateway.page_count(label)

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> str:
        """Start the server now (it starts on the first ``show()`` by default)."""
        self._check_alive()
        if self._hosted_base is not None:
            raise IllegalTransitionError(
                "this PyWry app is served by another server (a Litestar app or deploy mode),"
                " which starts it; there is no server of pywry's own to start"
            )
        return self._start()

    def block(self, label: str | None = None) -> None:
        """Wait until every page (``label``'s only, if given) has closed; Ctrl+C stops."""
        if self._hosted_base is not None:
            raise IllegalTransitionError(
                "block() waits for a script's own pages, and this PyWry app is served by"
                " another server (a Litestar app or deploy mode) that decides when it stops;"
                " use deploy() to serve in the foreground"
            )
        if label is not None:
            self._gateway.widget(check_label(label))  # UnknownWidgetError names the shown
        elif self._container is None or not self._gateway.labels():
            return
        if self._on_loop():
            raise RuntimeError(
                "block() waits for the pages to close, so it cannot be called from a callback"
            )
        try:
            self._start()
            gateway = self._gateway
            while not gateway.wait_idle(0.5, label):
                pass
        except KeyboardInterrupt:
            log.info("interrupted: stopping the pywry server")
            self.destroy()

    def destroy(self) -> None:
        """Tell open pages, stop the server and free its port. Idempotent.

        From a callback (on the server's loop or on a callback worker) it returns at once:
        the stop waits for running callbacks, so it cannot run inside one. Any later call
        from another thread waits for the stop.
        """
        with self._lock:
            stopping = self._stopping
            already = self._destroyed
            self._destroyed = True
            container = self._container
        if already:
            waiting_is_safe = not self._in_callback() and stopping is not threading.current_thread()
            if stopping is not None and waiting_is_safe:
                stopping.join(_STOP_WAIT)
            return
        if container is None:
            return
        if self._exit_hook is not None:
            container.exit_hooks().unregister(self._exit_hook)
            self._exit_hook = None
        if self._hosted is not None:
            self._hosted.stop_from_thread()
            return
        if self._hosted_base is not None:
            container.runtime().abandon()  # hosted, but never served
            return
        server = container.server()
        if self._in_callback():
            stopping = threading.Thread(target=server.stop, name="pywry-stop")
            with self._lock:
                self._stopping = stopping
            stopping.start()
        else:
            server.stop()

    def _on_loop(self) -> bool:
        return self._container is not None and self._container.event_loop().in_loop()

    def _in_callback(self) -> bool:
        return self._on_loop() or (
            self._container is not None and self._container.callback_runner().in_worker()
        )

    def __enter__(self) -> PyWry:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.destroy()

    def __repr__(self) -> str:
        return f"PyWry(mode={self.mode.value!r}, widgets={self.get_labels()!r})"
