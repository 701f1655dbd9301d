"""Every request has an id: the caller's `X-Request-ID` when it is a sane one, else a new one. It
is echoed in the response's `X-Request-ID` and made the current trace (kernel/events.py) while
the request runs, so every event the request emits — and, through the outbox relay, everything
done because of those events — carries it as its `correlation_id`."""

from __future__ import annotations

import re

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from cityops.kernel.events import request_trace, tracing
from cityops.kernel.ids import new_event_id

HEADER = "X-Request-ID"
# printable, no spaces or separators that would break a log line or a header; at most the width
# of the trace columns
SANE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:@/+=-]{0,63}$")
_HEADER_KEY = HEADER.lower().encode("latin-1")


def request_id_of(scope: Scope) -> str:
    """The caller's request id if it is sane, else a new one."""
    for name, value in scope.get("headers", ()):
        if name == _HEADER_KEY:
            given: str = value.decode("latin-1").strip()
            if SANE_ID.fullmatch(given):
                return given
            break
    return new_event_id()


class RequestId:
    """Pure ASGI middleware (no task or thread hop of its own: the context it sets is the one the
    endpoint runs in, and a sync endpoint's worker thread gets a copy of it)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        scope.setdefault("state", {})["request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        with tracing(request_trace(request_id)):
            await self.app(scope, receive, send_with_id)
