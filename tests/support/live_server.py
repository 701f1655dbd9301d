"""A real uvicorn server over a platform, on a free local port, in a background thread —
for tests that need a network peer (browser tests, Open311 clients)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from cityops.app import Platform
from cityops.web.app import create_app

GRACE_SECONDS = 1.0  # how long the server may take to close its connections by itself


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serve(platform: Platform, *, name: str = "test-uvicorn") -> Iterator[str]:
    """Serve the app over `platform`, preloaded as a server's warm-up does (so a test's first
    request does not wait a second for the routing model); yields the base URL, stops the
    server on exit."""
    platform.preload()
    port = free_port()
    config = uvicorn.Config(
        create_app(platform),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        ws="none",
        lifespan="on",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=name, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the uvicorn server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=GRACE_SECONDS)
        if thread.is_alive():  # an open event stream (SSE) keeps a graceful shutdown waiting
            server.force_exit = True
            thread.join(timeout=10)
