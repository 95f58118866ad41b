"""Run the real HTTP server (uvicorn) on a loopback port inside a test."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn
from starlette.types import ASGIApp

from urpaq.entrypoints.http.server import ForwardedClient


@contextmanager
def serving(app: ASGIApp, **options: Any) -> Iterator[str]:
    """Serve `app` over HTTP on a free loopback port; yield its base URL.  Loopback is
    believed as a proxy named with `--forwarded-allow-ips` is: a test sets the client's
    address with `X-Forwarded-For`."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    # The HTTP protocol `urpaq serve` runs (h11), not whichever uvicorn would pick from
    # what else is installed (with httptools installed, the edge test of a control
    # character in X-Forwarded-For found no access line).
    options = {"http": "h11", "proxy_headers": False, **options}
    believing = ForwardedClient(app, "127.0.0.1")
    server = uvicorn.Server(
        uvicorn.Config(believing, log_level="warning", access_log=False, lifespan="on", **options)
    )
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive(), "the server stopped while starting"
        assert time.monotonic() < deadline, "the server did not start in 30 s"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()
