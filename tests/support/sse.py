"""A Server-Sent Events reader for tests: reads a stream in a thread and collects its events."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx


@dataclass
class SseEvent:
    id: int | None
    event: str
    data: dict[str, Any]


def parse(text: str) -> list[SseEvent]:
    """The events of a whole stream's text (comments and the retry hint left out)."""
    out: list[SseEvent] = []
    fields: dict[str, str] = {}
    for line in text.split("\n"):
        if not line:
            if "data" in fields:
                raw = fields.get("id")
                out.append(
                    SseEvent(
                        int(raw) if raw else None,
                        fields.get("event", "message"),
                        json.loads(fields["data"]),
                    )
                )
            fields = {}
            continue
        if line.startswith(":"):
            continue
        name, _, value = line.partition(":")
        fields[name] = value[1:] if value.startswith(" ") else value
    return out


@dataclass
class StreamReader:
    """GET `url` as an event stream in a background thread (ended by the server: pass
    `max_seconds`)."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    status: int = 0
    text: str = ""
    error: str = ""
    opened: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def start(self) -> StreamReader:
        threading.Thread(target=self._run, daemon=True).start()
        assert self.opened.wait(20), "the stream did not open"
        return self

    def _run(self) -> None:
        try:
            timeout = httpx.Timeout(10.0, read=60.0)
            with httpx.stream(
                "GET", self.url, headers=self.headers, params=self.params, timeout=timeout
            ) as r:
                self.status = r.status_code
                self.opened.set()
                for chunk in r.iter_text():
                    with self._lock:
                        self.text += chunk
        except httpx.HTTPError as exc:  # the server went away mid-stream (a test stops it)
            self.error = repr(exc)
        finally:
            self.opened.set()
            self.done.set()

    @property
    def events(self) -> list[SseEvent]:
        with self._lock:
            text = self.text
        return parse(text[: text.rfind("\n\n") + 2] if "\n\n" in text else "")

    def wait_for(
        self, check: Callable[[list[SseEvent]], bool], timeout: float = 10.0
    ) -> list[SseEvent]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            events = self.events
            if check(events):
                return events
            time.sleep(0.02)
        raise AssertionError(f"events not seen in {timeout} s; got {self.events}")
