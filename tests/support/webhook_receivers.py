"""Real HTTP receivers on 127.0.0.1 for the webhook tests: one that answers (and checks the
signature of every POST), one that accepts connections and never answers."""

from __future__ import annotations

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Received:
    path: str
    event: str
    delivery: str
    body: dict[str, Any]
    signature_ok: bool
    host: str  # the Host header
    at: float  # time.monotonic() when it arrived


@dataclass
class Receiver:
    """A tiny HTTP server that checks the signature of every POST it gets."""

    url: str
    planned: list[int] = field(default_factory=list)  # status codes to answer, then 200
    reply: bytes = b"ok"  # the body of every answer
    got: list[Received] = field(default_factory=list)


@contextmanager
def answering_receiver(secret: str) -> Iterator[Receiver]:
    state = Receiver(url="")
    lock = threading.Lock()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers["Content-Length"]))
            expected = "sha256=" + hmac.new(secret.encode(), raw, hashlib.sha256).hexdigest()
            signature = self.headers.get("X-Cityops-Signature", "")
            with lock:
                state.got.append(
                    Received(
                        path=self.path,
                        event=self.headers.get("X-Cityops-Event", ""),
                        delivery=self.headers.get("X-Cityops-Delivery", ""),
                        body=json.loads(raw),
                        signature_ok=hmac.compare_digest(expected, signature),
                        host=self.headers.get("Host", ""),
                        at=time.monotonic(),
                    )
                )
                status = state.planned.pop(0) if state.planned else 200
            self.send_response(status)
            self.send_header("Content-Length", str(len(state.reply)))
            self.end_headers()
            self.wfile.write(state.reply)

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


class HangingReceiver:
    """Accepts every connection and never answers: a client waits for its read timeout. Closing
    it closes the connections it holds, so no client waits beyond the test."""

    def __init__(self) -> None:
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.05)
        self.url = f"http://127.0.0.1:{self._listener.getsockname()[1]}/hook"
        self._held: list[socket.socket] = []
        self._lock = threading.Lock()
        self._closed = threading.Event()
        self._thread = threading.Thread(target=self._accept, name="hanging-receiver", daemon=True)
        self._thread.start()

    @property
    def connections(self) -> int:
        with self._lock:
            return len(self._held)

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with self._lock:
                self._held.append(conn)

    def close(self) -> None:
        self._closed.set()
        self._thread.join(timeout=5)
        self._listener.close()
        with self._lock:
            for conn in self._held:
                conn.close()


@contextmanager
def hanging_receiver() -> Iterator[HangingReceiver]:
    receiver = HangingReceiver()
    try:
        yield receiver
    finally:
        receiver.close()
