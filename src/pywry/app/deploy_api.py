"""The part of ``PyWry`` for servers pywry does not run in a thread of its own.

Two ways to serve an app that way: a user's Litestar app with
:class:`~pywry.litestar.PyWryPlugin`, and deploy mode (the release's ``get_server_app()``
and ``deploy()``), where pywry's own Litestar app is the server, in the foreground. Either
way the app is *hosted*: ``show()`` registers widgets and never starts a server or opens a
browser, and the server's lifespan starts and stops the widgets' runtime.
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING

import msgspec

from ..domain.errors import IllegalTransitionError, InvalidArgumentError, SettingsError
from ..domain.widget import check_label

if TYPE_CHECKING:
    from litestar import Litestar

    from .container import Container
    from .deploy import DeployServer
    from .gateway import Gateway
    from .hosted import HostedBridge
    from .settings import ServerSettings, Settings

__all__ = ["DeployAPI"]


class DeployAPI:
    """Hosting and deploy mode, for :class:`~pywry.PyWry` (which sets every field below)."""

    _settings: Settings
    _lock: threading.RLock
    _container: Container | None
    _gateway_ref: Gateway | None
    _destroyed: bool
    # The base path of pywry's routes on the hosting server ("" in deploy mode), or None
    # in browser mode; the bridge once wired; whether a plugin asked for it.
    _hosted_base: str | None
    _hosted: HostedBridge | None
    _plugged: bool
    _server_app: Litestar | None
    _deploy_server: DeployServer | None

    if TYPE_CHECKING:  # PyWry's own, used here

        @property
        def container(self) -> Container: ...

        def _check_alive(self) -> None: ...

        def destroy(self) -> None: ...

    def _init_hosting(self) -> None:
        self._hosted_base = "" if self._settings.deploy_mode else None
        self._hosted = None
        self._plugged = False
        self._server_app = None
        self._deploy_server = None

    def _wire_hosting(self, container: Container) -> Container:
        """A new container, switched to the hosted adapters when the app is hosted."""
        if self._hosted_base is not None:
            container.serving.override("hosted")
            container.base_path.override(self._hosted_base)
        return container

    @property
    def hosted(self) -> bool:
        """Whether a server someone else runs serves the widgets (a Litestar app with
        :class:`~pywry.litestar.PyWryPlugin`, or deploy mode), not pywry's own thread."""
        return self._hosted_base is not None

    def _host(self, base_path: str, *, plugin: bool) -> HostedBridge:
        """Serve the widgets the hosted way, under ``base_path``; the bridge that does it."""
        with self._lock:
            self._check_alive()
            if plugin and self._plugged:
                raise IllegalTransitionError(
                    "this PyWry app already has a PyWryPlugin; one app is served by one"
                    " Litestar app: make another PyWry() for another one"
                )
            shown = self._container is not None and self._gateway_ref is not None
            if shown and self._hosted_base != base_path:
                where = "in browser mode" if self._hosted_base is None else "under another path"
                how = (
                    "create the PyWryPlugin before the first show()"
                    if plugin
                    else "turn deploy mode on before the first show() (PYWRY_DEPLOY_MODE=1,"
                    " [deploy] enabled = true in pywry.toml, or get_server_app() first)"
                )
                raise IllegalTransitionError(
                    f"widgets of this PyWry app were already shown {where}; {how}"
                )
            self._hosted_base = base_path
            self._plugged = self._plugged or plugin
            if self._container is not None and not shown:
                self._wire_hosting(self._container)
            if self._hosted is None:
                self._hosted = self.container.hosted()
                self._hosted.when_stopped(self._served_out)
            return self._hosted

    def _served_out(self) -> None:
        # The host server stopped the app (its shutdown, or destroy()): as after destroy().
        self._destroyed = True

    def _hosted_by_plugin(self, base_path: str) -> HostedBridge:
        return self._host(base_path, plugin=True)

    # ------------------------------------------------------------------ deploy mode
    def get_server_app(self) -> Litestar:
        """pywry's own Litestar app, serving this app's widgets at its root (deploy mode).

        Add routes with ``server.register(handler)``; serve it with :meth:`deploy`, or with
        any ASGI server (``granian --interface asgi module:server``): its lifespan starts
        and stops the widgets. The same app on every call.
        """
        with self._lock:
            if self._server_app is not None:
                return self._server_app
            if self._plugged:
                raise IllegalTransitionError(
                    "this PyWry app is served by a PyWryPlugin in a Litestar app of yours;"
                    " get_server_app() builds pywry's own app, for a PyWry() without a plugin"
                )
            self._host("", plugin=False)  # says how to turn deploy mode on, if too late
            app: Litestar = self.container.server_app()(self)
            self._server_app = app
            return app

    def deploy(
        self,
        *,
        host: str | None = None,
        port: int | None = None,
        workers: int | None = None,
        target: str | None = None,
    ) -> None:
        """Serve the widgets in the foreground until SIGINT or SIGTERM (deploy mode).

        On ``[server] host``/``port``/``workers`` (or the arguments), HTTPS as configured.
        Logs one line with the URL. On a signal, open pages are told the server is
        restarting (they reconnect when it is back), callbacks finish and this returns; the
        app is over then, as after ``destroy()``.

        Several workers are processes that each import the app: from ``target``
        (``module:attr``), or else from the script that called this, by the name of the
        global variable that holds the app. They need ``state_backend = "redis"``.
        """
        from .deploy import DeployServer

        app = self.get_server_app()
        settings = self._settings.server
        changes = {
            k: v for k, v in (("host", host), ("port", port), ("workers", workers)) if v is not None
        }
        if changes:
            try:
                settings = msgspec.convert(
                    {**msgspec.structs.asdict(settings), **changes}, type(settings)
                )
            except msgspec.ValidationError as exc:
                raise InvalidArgumentError(
                    f"deploy() got a bad host, port or workers: {exc}"
                ) from None
        container = self.container
        if settings.workers > 1:
            try:
                self._serve_workers(settings, target)
            finally:
                self.destroy()
            return
        bridge = self._host("", plugin=False)
        server = DeployServer(
            settings=settings,
            runner=container.server_runner(),
            bridge=bridge,
            tls_loader=container.tls_loader,
            cert_dir=container.cert_dir(),
        )
        with self._lock:
            if self._deploy_server is not None:
                raise IllegalTransitionError("deploy() is already serving this PyWry app")
            self._deploy_server = server
        try:
            server.serve(app)
        finally:
            self.destroy()

    def _serve_workers(self, settings: ServerSettings, target: str | None) -> None:
        from .server import tls_material

        if self._settings.deploy.state_backend != "redis":
            raise SettingsError(
                f"server.workers = {settings.workers} needs state shared by the workers: set"
                ' [deploy] state_backend = "redis" (and redis_url), or deploy one worker'
            )
        target = target or _own_target(self)
        container = self.container
        container.redis_probe()(self._settings.deploy.redis_url)
        tls = tls_material(settings, container.tls_loader, container.cert_dir())
        try:
            container.worker_server()(
                target,
                host=settings.host,
                port=settings.port,
                workers=settings.workers,
                backlog=settings.backlog,
                tls=tls,
                log_level=settings.log_level,
            )
        finally:
            if tls is not None:
                container.tls_loader().release(tls)

    def stop_server(self) -> None:
        """Stop serving: ends a running :meth:`deploy` (from another thread), else as
        :meth:`destroy`."""
        server = self._deploy_server
        if server is not None:
            server.stop()
        else:
            self.destroy()

    def get_widget_html(self, label: str) -> str | None:
        """The HTML content a widget was shown with, or ``None`` for an unknown label."""
        check_label(label)
        if self._container is None or self._destroyed:
            return None
        widget = self.container.registry().get(label)
        return None if widget is None else widget.html

    async def get_widget_html_async(self, label: str) -> str | None:
        """:meth:`get_widget_html` for async route handlers: it may ask the widget store."""
        check_label(label)
        if self._container is None or self._destroyed:
            return None
        widget = await self.container.registry().fetch(label)
        return None if widget is None else widget.html


def _own_target(app: object) -> str:
    """``path/to/script.py:name`` of the script that runs ``app`` as a global ``name``."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    names = [name for name, value in vars(main).items() if value is app] if main else []
    if not path or not names:
        raise SettingsError(
            "several workers each import the app, and this one has no name to import it by:"
            " run `pywry deploy module:attr --workers N`, or call deploy() from a script"
            " that keeps the app in a global variable"
        )
    return f"{path}:{names[0]}"
