"""A NUL character in a request's address is a 422 before any route runs (pure ASGI middleware).

Intake cleans NUL out of free text and refuses it in codes (kernel/text.py), but paths and
query parameters (a tracking code, an article code, a category filter, a search) reach queries
as sent, and PostgreSQL refuses NUL in any text it compares: the driver's error was a 500. No
address of this application may hold one, so the request is refused as a whole, naming what
is wrong. Other control characters only fail to match and need no guard."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Receive, Scope, Send

MESSAGE = (
    "the request's address holds a NUL character (%00) in its path or query; no value may "
    "contain one"
)


def has_nul(scope: Scope) -> bool:
    """Whether the (decoded) path or the raw query string holds NUL, as %00 or as the byte."""
    query: bytes = scope.get("query_string", b"")
    return "\x00" in scope.get("path", "") or b"%00" in query or b"\x00" in query


class NulInAddress:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not has_nul(scope):
            await self.app(scope, receive, send)
            return
        body = json.dumps({"error": {"code": "nul_character", "message": MESSAGE}}).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 422,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
