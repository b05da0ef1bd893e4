"""Deploy mode on several workers: Granian's own process manager, one app per worker.

Granian starts ``workers`` processes (spawned, so each imports afresh) and serves one
listening port with all of them; a worker that dies is replaced, SIGINT and SIGTERM stop
them all. Each worker imports the user's app itself, from the import target in
``PYWRY_DEPLOY_TARGET`` (``module:attr`` or ``path/to/script.py:attr``), and serves its
``get_server_app()``: widgets defined at import time are defined by every worker, and the
shared state in Redis makes them one widget.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

from granian import Granian
from granian.constants import Interfaces
from granian.log import LogLevels

from ...domain.errors import SettingsError
from ...domain.ports import TlsMaterial

__all__ = ["TARGET_VARIABLE", "app", "serve_workers"]

log = logging.getLogger("pywry.server")

TARGET_VARIABLE = "PYWRY_DEPLOY_TARGET"
_KILL_AFTER = 30  # seconds a worker gets to stop before it is killed


def app() -> Any:
    """The ASGI app of one worker (Granian calls this factory in each worker process)."""
    from ...cli.deploy import load_deploy_target

    target = os.environ.get(TARGET_VARIABLE)
    if not target:
        raise SettingsError(f"{TARGET_VARIABLE} is not set: start workers with serve_workers()")
    return load_deploy_target(target).get_server_app()


def serve_workers(
    target: str,
    *,
    host: str,
    port: int,
    workers: int,
    backlog: int,
    tls: TlsMaterial | None,
    log_level: str,
) -> None:
    """Serve ``target`` on ``workers`` processes until SIGINT or SIGTERM (main thread)."""
    os.environ[TARGET_VARIABLE] = target
    os.environ["PYWRY_DEPLOY_MODE"] = "1"  # a show() at import time only registers
    server = Granian(
        f"{__name__}:app",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        backlog=backlog,
        respawn_failed_workers=True,
        workers_kill_timeout=_KILL_AFTER,
        log_level=LogLevels(log_level),
        ssl_cert=Path(tls.certfile) if tls else None,
        ssl_key=Path(tls.keyfile) if tls else None,
    )
    log.info("pywry deploy: %d workers serving %s on %s:%d", workers, target, host, port)
    server.serve()
