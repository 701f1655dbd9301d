"""Where the simulated devices' messages go: the platform's ingestion front door in this process
(`Ingestion.from_http`, the same path as `POST /api/v1/telemetry`), or the running server over
HTTP with each device's own token. Messages carry no `ts`: the platform stamps them when it
receives them, on its own clock.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from typing import Protocol

import httpx

from cityops.demo.sensing_sim.simulation import Message
from cityops.sensing.public import Ingestion


class Sender(Protocol):
    counts: Counter[str]  # accepted points, refused messages and their reasons

    def send(self, messages: Sequence[Message]) -> None:
        """Send the messages and wait until each was answered (bounded: one step at a time)."""
        ...

    def close(self) -> None: ...


def _body(message: Message) -> bytes:
    return json.dumps({"values": message.values}).encode()


class InProcessSender:
    def __init__(self, ingestion: Ingestion, tokens: dict[str, str]) -> None:
        self._ingestion = ingestion
        self._tokens = tokens
        self.counts: Counter[str] = Counter()

    def send(self, messages: Sequence[Message]) -> None:
        pending: list[Future[None]] = []
        for message in messages:
            result = self._ingestion.from_http(
                self._tokens[message.code], _body(message), "simulator"
            )
            self.counts["points"] += result.accepted
            for problem in result.problems:
                self.counts[problem.reason] += 1
            pending.append(result.committed)
        for done in pending:
            done.result(timeout=60)

    def close(self) -> None:
        return None


class HttpSender:
    """POST /api/v1/telemetry, `workers` requests at a time, each signed with the device's
    token."""

    def __init__(self, url: str, tokens: dict[str, str], *, workers: int = 8) -> None:
        self._url = url.rstrip("/") + "/api/v1/telemetry"
        self._tokens = tokens
        self._client = httpx.Client(timeout=30.0)
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="sim-http")
        self.counts: Counter[str] = Counter()

    def _post(self, message: Message) -> None:
        try:
            answer = self._client.post(
                self._url,
                content=_body(message),
                headers={
                    "X-Device-Token": self._tokens[message.code],
                    "Content-Type": "application/json",
                },
            )
        except httpx.HTTPError as exc:
            self.counts[f"http_error:{type(exc).__name__}"] += 1
            return
        if answer.status_code == 200:
            self.counts["points"] += int(answer.json().get("accepted", 0))
        else:
            self.counts[f"http_{answer.status_code}"] += 1

    def send(self, messages: Sequence[Message]) -> None:
        wait([self._pool.submit(self._post, m) for m in messages])

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._client.close()


def wait_for_server(url: str, seconds: float, stop: threading.Event) -> bool:
    """Whether the server answers /healthz within `seconds` (False at once when stopped)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not stop.is_set():
        try:
            httpx.get(url.rstrip("/") + "/healthz", timeout=2.0)
            return True
        except httpx.HTTPError:
            stop.wait(1.0)
    return False
