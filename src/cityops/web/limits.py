"""Request-size limit as pure ASGI middleware: an oversized body is a 413 before it is read.

A body announced by Content-Length is judged from the header. A body sent without one (chunked)
is counted as it arrives; once it passes the limit, reading stops and the answer is the same 413,
whatever the application made of the cut-off body (FastAPI turns the error into a 400 "error
parsing the body", which is replaced here)."""

from __future__ import annotations

import json

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit_for(scope)
        for name, value in scope.get("headers", []):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                await self._reject(send, limit)
                return
        seen = 0
        exceeded = False  # the body passed the limit while the application read it
        started = False  # the application's response has begun (then it is left alone)
        rejected = False

        async def limited_receive() -> Message:
            nonlocal seen, exceeded
            if exceeded:
                raise _TooLarge
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    exceeded = True
                    raise _TooLarge
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started, rejected
            if exceeded and not started:
                # whatever the application answers to a body it could not read whole
                if not rejected:
                    rejected = True
                    await self._reject(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited_receive, guarded_send)
        except _TooLarge:
            if not started and not rejected:
                rejected = True
                await self._reject(send, limit)

    def _limit_for(self, scope: Scope) -> int:
        # uploads (multipart) get a larger allowance; the endpoint checks each file itself
        for name, value in scope.get("headers", []):
            if name == b"content-type" and value.startswith(b"multipart/"):
                return max(self.max_bytes, 32 * 1024 * 1024)
        return self.max_bytes

    @staticmethod
    async def _reject(send: Send, limit: int) -> None:
        body = json.dumps(
            {"error": {"code": "body_too_large", "message": f"request body exceeds {limit} bytes"}}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass
