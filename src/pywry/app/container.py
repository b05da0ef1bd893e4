"""The composition root: the one module that chooses and wires the adapters.

Each ``PyWry`` builds its own container, so two apps in one process share nothing. Tests
swap a part with ``app.container.<provider>.override(fake)`` before the first ``show()``.
Providers are thread-safe singletons: the script's thread and the server's share them.
"""

from __future__ import annotations

import atexit
import secrets
from typing import NamedTuple

from dependency_injector import containers, providers

from ..adapters.browser import SystemBrowserLauncher
from ..adapters.granian import GranianRunner
from ..adapters.http import layout
from ..adapters.http.app import create_app
from ..adapters.http.plugin import deploy_app
from ..adapters.memory import (
    LocalRelay,
    MemoryEventBus,
    MemoryInboundLedger,
    MemoryWidgetStore,
)
from ..domain.errors import SettingsError
from ..domain.ports import EventBus, ExitHooks, InboundLedger, Relay, TlsLoader, WidgetStore
from ..domain.protocol import Farewell, Routes
from ..domain.token import Token
from .callbacks import LONG_ON_LOOP, CallbackRunner
from .channels import Channels
from .frames import encode_body
from .gateway import Gateway, reply_to_pages, report_to_pages
from .hosted import HostedBridge
from .hub import Hub
from .idle import IdleWatch
from .inbound import Inbound
from .inbox import Inbox
from .lifecycle import Lifecycle
from .listeners import CallbackTable, FailureObserver
from .loop import HostLoop, LoopThread
from .reception import Reception
from .registry import WidgetRegistry
from .requests import PageRequests
from .routing import EventRouter
from .runtime import Runtime
from .server import BrowserServer
from .settings import ServerSettings, Settings, user_config_dir
from .status import ServerStatus

__all__ = ["Container"]

# Page ids a widget remembers the last inbound frame of, per page it may have open at once:
# pages reload (a new id each time), and a forgotten id could see a frame handled twice.
LEDGER_PAGES_PER_SLOT = 16


def _tls_loader() -> TlsLoader:
    # cryptography is only needed when HTTPS is configured: imported then, not at start.
    from ..adapters.tls import CryptographyTlsLoader

    return CryptographyTlsLoader()


def _internal_token(settings: Settings) -> Token:
    configured = settings.server.internal_api_token
    return Token(configured) if configured else Token(secrets.token_urlsafe(32))


def _mode(serving: str, settings: Settings) -> str:
    """The status page's name for who runs the server."""
    if serving == "browser":
        return "browser"
    return "deploy" if settings.deploy_mode else "hosted"


def _ledger(settings: ServerSettings) -> MemoryInboundLedger:
    return MemoryInboundLedger(max_pages=LEDGER_PAGES_PER_SLOT * settings.max_pages_per_widget)


class _RedisSet(NamedTuple):
    store: WidgetStore
    bus: EventBus
    ledger: InboundLedger
    relay: Relay


def _redis_set(settings: Settings) -> _RedisSet:
    # redis-py is needed only for state_backend = "redis": imported then.
    try:
        from redis.asyncio import BlockingConnectionPool, Redis

        from ..adapters.redis import (
            Keys,
            RedisEventBus,
            RedisInboundLedger,
            RedisRelay,
            RedisWidgetStore,
        )
    except ImportError:
        raise SettingsError(
            'deploy.state_backend = "redis" needs the redis package: pip install "pywry[redis]"'
        ) from None
    deploy = settings.deploy
    # A busy worker waits for a free connection (a burst of page frames, each checked in
    # the ledger) instead of failing: the pool's plain kind raises once all are in use.
    pool = BlockingConnectionPool.from_url(
        deploy.redis_url, max_connections=deploy.redis_pool_size, timeout=30
    )
    client = Redis(connection_pool=pool)
    keys = Keys(deploy.redis_prefix)
    return _RedisSet(
        store=RedisWidgetStore(redis=client, keys=keys, ttl=deploy.widget_ttl),
        bus=RedisEventBus(
            redis=client, keys=keys, history_frames=settings.server.replay_buffer_frames
        ),
        ledger=RedisInboundLedger(redis=client, keys=keys, ttl=deploy.widget_ttl),
        relay=RedisRelay(
            redis=client,
            keys=keys,
            worker_id=deploy.worker_id,
            ttl=deploy.widget_ttl,
            alive_ttl=deploy.connection_ttl,
        ),
    )


def _probe_redis(url: str) -> None:
    from ..adapters.redis import probe

    probe(url)


def _serve_workers(target: str, **options: object) -> None:
    from ..adapters.granian.workers import serve_workers

    serve_workers(target, **options)  # type: ignore[arg-type]


class Container(containers.DeclarativeContainer):
    """Providers of one app, in the order they depend on each other."""

    settings = providers.Dependency(instance_of=Settings)
    theme = providers.Object("dark")
    server_settings = providers.Callable(lambda s: s.server, settings)
    # Where pywry's routes live: "" in browser mode, the plugin's path when hosted.
    base_path = providers.Object("")
    routes = providers.Callable(
        lambda s, base: Routes(base=base, widget_prefix=s.widget_prefix),
        server_settings,
        base_path,
    )
    # Who runs the server: pywry, on its own loop thread ("browser"), or someone else, on
    # whose loop pywry runs ("hosted": a Litestar app with the plugin, deploy mode).
    serving = providers.Object("browser")

    # Driven adapters: swapped as a set by deploy mode and by tests.
    state_backend = providers.Callable(lambda s: s.deploy.state_backend, settings)
    redis_set = providers.ThreadSafeSingleton(_redis_set, settings)
    loop_thread = providers.ThreadSafeSingleton(LoopThread)
    host_loop = providers.ThreadSafeSingleton(HostLoop)
    event_loop = providers.Selector(serving, browser=loop_thread, hosted=host_loop)
    farewell = providers.Selector(
        serving,
        browser=providers.Object(Farewell.STOPPED),
        hosted=providers.Object(Farewell.RESTARTING),
    )
    widget_store = providers.Selector(
        state_backend,
        memory=providers.ThreadSafeSingleton(MemoryWidgetStore),
        redis=redis_set.provided.store,
    )
    event_bus = providers.Selector(
        state_backend,
        # In one process a widget's channel subscribes as the widget is shown, before its
        # first event, and keeps the replay itself: a history here would hold every event
        # a second time (2 x replay_buffer_bytes per widget). Were a channel ever to
        # subscribe later, it would see a gap and its pages would reload, never miss one.
        memory=providers.ThreadSafeSingleton(MemoryEventBus, history_frames=1, history_bytes=1),
        redis=redis_set.provided.bus,
    )
    inbound_ledger = providers.Selector(
        state_backend,
        memory=providers.ThreadSafeSingleton(_ledger, server_settings),
        redis=redis_set.provided.ledger,
    )
    relay = providers.Selector(
        state_backend,
        memory=providers.ThreadSafeSingleton(LocalRelay),
        redis=redis_set.provided.relay,
    )
    browser_launcher = providers.ThreadSafeSingleton(
        SystemBrowserLauncher, headless=settings.provided.headless
    )
    tls_loader = providers.ThreadSafeSingleton(_tls_loader)
    # Where the app and its server register what stops them at exit; a test's stand-in
    # records the hooks instead of leaving them to run when its process ends.
    exit_hooks: providers.Provider[ExitHooks] = providers.Object(atexit)
    server_runner = providers.ThreadSafeSingleton(
        GranianRunner,
        log_level=settings.provided.server.log_level,
        access_log=settings.provided.server.access_log,
        timeout_keep_alive=settings.provided.server.timeout_keep_alive,
        exit_hooks=exit_hooks,
    )

    # The application.
    lifecycle = providers.ThreadSafeSingleton(Lifecycle)
    inbox = providers.ThreadSafeSingleton(Inbox, loop=event_loop)
    registry = providers.ThreadSafeSingleton(WidgetRegistry, store=widget_store)
    idle = providers.ThreadSafeSingleton(IdleWatch, grace=server_settings.provided.reconnect_grace)
    callback_table = providers.ThreadSafeSingleton(CallbackTable)
    # Told of each callback that raised (pywry.testing records them); nothing by default.
    callback_failures: providers.Provider[FailureObserver | None] = providers.Object(None)
    long_on_loop = providers.Object(
        LONG_ON_LOOP
    )  # seconds before a sync_to_thread=False run is logged
    error_reporter = providers.Callable(report_to_pages, inbox, lifecycle)
    replier = providers.Callable(reply_to_pages, inbox, lifecycle)
    callback_runner = providers.ThreadSafeSingleton(
        CallbackRunner,
        table=callback_table,
        workers=server_settings.provided.callback_workers,
        report=error_reporter,
        reply=replier,
        observe=callback_failures,
        long_on_loop=long_on_loop,
    )
    channels = providers.ThreadSafeSingleton(
        Channels,
        bus=event_bus,
        ledger=inbound_ledger,
        store=widget_store,
        max_frames=server_settings.provided.replay_buffer_frames,
        max_bytes=server_settings.provided.replay_buffer_bytes,
    )
    page_requests = providers.ThreadSafeSingleton(
        PageRequests, channels=channels, loop=event_loop, relay=relay, inbox=inbox
    )
    router = providers.ThreadSafeSingleton(
        EventRouter,
        runner=callback_runner,
        registry=registry,
        relay=relay,
        report=error_reporter,
        reply=replier,
    )
    inbound = providers.ThreadSafeSingleton(
        Inbound,
        ledger=inbound_ledger,
        dispatch=router.provided.dispatch,
        answered=page_requests.provided.answered,
        max_message=server_settings.provided.max_message_size,
    )
    hub = providers.ThreadSafeSingleton(
        Hub,
        channels=channels,
        registry=registry,
        bus=event_bus,
        idle=idle,
        lifecycle=lifecycle,
        inbox=inbox,
        relay=relay,
        farewell=farewell,
    )
    reception = providers.ThreadSafeSingleton(
        Reception,
        settings=server_settings,
        channels=channels,
        registry=registry,
        ledger=inbound_ledger,
        inbound=inbound,
        requests=page_requests,
        runner=callback_runner,
        idle=idle,
        lifecycle=lifecycle,
        inbox=inbox,
        farewell=farewell,
    )
    # How an emitted event becomes the one body its pages share (a test counts the calls).
    event_encoder = providers.Object(encode_body)
    # Draws show()'s toolbars and modals, and lays a widget's content out inside them.
    draw_components = providers.Object(layout.draw_components)
    surround_content = providers.Object(layout.surround)
    gateway = providers.ThreadSafeSingleton(
        Gateway,
        inbox=inbox,
        loop=event_loop,
        lifecycle=lifecycle,
        registry=registry,
        callbacks=callback_table,
        hub=hub,
        channels=channels,
        idle=idle,
        requests=page_requests,
        relay=relay,
        encode=event_encoder,
        surround=surround_content,
    )
    runtime = providers.ThreadSafeSingleton(
        Runtime,
        lifecycle=lifecycle,
        bus=event_bus,
        hub=hub,
        runner=callback_runner,
        idle=idle,
        requests=page_requests,
        relay=relay,
    )

    # The status page's figures (its route is pywry's, wherever it is served).
    server_status = providers.ThreadSafeSingleton(
        ServerStatus,
        channels=channels,
        lifecycle=lifecycle,
        inbound=inbound,
        mode=providers.Callable(_mode, serving, settings),
    )

    # A server someone else runs (hosted).
    internal_token = providers.ThreadSafeSingleton(_internal_token, settings)
    hosted = providers.ThreadSafeSingleton(
        HostedBridge,
        loop=host_loop,
        runtime=runtime,
        settings=server_settings,
        routes=routes,
        pages=reception,
        internal_token=internal_token,
        theme=theme,
        debug=settings.provided.debug,
        status=server_status,
    )
    # Deploy mode's own Litestar app, built around the plugin: ``server_app(widgets)``;
    # several workers: Granian's process manager, after a check that Redis answers.
    server_app = providers.Object(deploy_app)
    redis_probe = providers.Object(_probe_redis)
    worker_server = providers.Object(_serve_workers)

    # Browser mode's server.
    http_app = providers.Factory(
        create_app,
        pages=reception,
        settings=server_settings,
        routes=routes,
        internal_token=internal_token,
        theme=theme,
        debug=settings.provided.debug,
        status=server_status,
    )
    cert_dir = providers.Callable(lambda: user_config_dir() / "certs")
    server = providers.ThreadSafeSingleton(
        BrowserServer,
        settings=server_settings,
        runner=server_runner,
        loop_thread=loop_thread,
        tls_loader=tls_loader.provider,  # called only when HTTPS is configured
        runtime=runtime,
        app_factory=http_app.provider,
        cert_dir=cert_dir,
    )
