"""Running the backend with uvicorn: in the foreground, or in a background thread."""

from __future__ import annotations

import functools
import socket
import threading
import time
from types import TracebackType

import uvicorn

from backend.app import create_app
from backend.migrate import upgrade_database
from config.settings import BackendSettings


def _uvicorn_config(settings: BackendSettings, port: int, log_level: str) -> uvicorn.Config:
    proxies = settings.trusted_proxy_list
    return uvicorn.Config(
        functools.partial(create_app, settings),
        factory=True,
        host=settings.host,
        port=port,
        log_level=log_level,
        # uvicorn would otherwise believe X-Forwarded-For from 127.0.0.1, so anyone on the
        # machine could pick the address the rate limits count.
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies or None,
        server_header=False,
    )


def serve(settings: BackendSettings | None = None, *, migrate_first: bool = True) -> None:
    """Serve on ``settings.host``:``settings.port`` until interrupted; migrates first."""
    settings = settings or BackendSettings()
    if migrate_first:
        upgrade_database(settings.resolved_database_url, settings)
    uvicorn.Server(_uvicorn_config(settings, settings.port, "info")).run()


class BackgroundServer:
    """The backend served from a daemon thread of this process (demo runs and tests).

    ``port=0`` picks a free port; or hand over a bound, not yet listening ``sock`` to serve
    on an address chosen beforehand. The schema must already be migrated.
    """

    def __init__(
        self,
        settings: BackendSettings,
        *,
        port: int | None = None,
        sock: socket.socket | None = None,
        log_level: str = "warning",
        startup_timeout: float = 15.0,
    ) -> None:
        chosen_port = settings.port if port is None else port
        self._server = uvicorn.Server(_uvicorn_config(settings, chosen_port, log_level))
        self._sock = sock
        self._startup_timeout = startup_timeout
        self._thread: threading.Thread | None = None
        self.url = ""

    def start(self) -> str:
        """Start serving and return the base URL once the server accepts connections."""
        sockets = [self._sock] if self._sock is not None else None
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": sockets}, name="backend-server", daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + self._startup_timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                self.stop()
                raise RuntimeError("the backend server did not start")
            time.sleep(0.01)
        host, port = self._server.servers[0].sockets[0].getsockname()[:2]
        self.url = f"http://{host}:{port}"
        return self.url

    def stop(self) -> None:
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None

    def __enter__(self) -> BackgroundServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()
