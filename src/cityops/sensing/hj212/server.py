"""The HJ 212 TCP server: monitoring stations connect, send frames, and are answered.

Each connection reads frames delimited by CRLF into a bounded buffer; a connection that sends
more than `limits.max_buffer` bytes without a CRLF, or stays silent for `limits.idle_timeout`
seconds, is closed, and connections beyond `limits.max_connections` are closed at once. A data
upload goes to the injected async sink, and the next frame is read only once the sink has
answered (backpressure, no queue). Every frame that cannot be taken goes to `on_refused(peer,
raw bytes truncated, reason)`; nothing a client sends ends the loop of another connection or
the server.

Answers, per the standard: an accepted upload whose Flag asks for an answer gets 数据应答
(CN=9014); a refused one gets 请求应答 (CN=9011) with the sink's QnRtn; a frame failing its CRC
whose header is still readable gets CN=9011 with QnRtn=9; a command this server does not serve
gets CN=9011 with QnRtn=8 (CN error) when it asked for an answer.
"""

from __future__ import annotations

import asyncio
import contextlib
import inspect
import logging
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from cityops.sensing.hj212.codec import FrameRefused, QnRtn, parse_frame
from cityops.sensing.hj212.encode import data_answer, refusal_answer, request_answer
from cityops.sensing.hj212.upload import Hj212Upload, SinkAnswer, is_data_upload, to_upload

log = logging.getLogger(__name__)

Sink = Callable[[Hj212Upload], Awaitable[SinkAnswer]]
OnRefused = Callable[[str, bytes, str], Awaitable[None] | None]

RAW_KEPT = 2048  # bytes of a refused frame handed to on_refused
_START = re.compile(rb"##\d{4}")


@dataclass(frozen=True)
class ServerLimits:
    """Bounds of the server: bytes held per connection without a CRLF, seconds of silence (or
    of a client not reading its answers) before a connection is closed, seconds the sink may
    take for one upload, connections at once."""

    max_buffer: int = 4096
    idle_timeout: float = 300.0
    sink_timeout: float = 60.0  # a sink slower than this is given up on, as if it had failed
    max_connections: int = 512
    read_size: int = 4096


class Hj212Server:
    """`async with Hj212Server(sink, on_refused) as server: await server.start(host, port)`."""

    def __init__(
        self, sink: Sink, on_refused: OnRefused, limits: ServerLimits | None = None
    ) -> None:
        self._sink = sink
        self._on_refused = on_refused
        self.limits = limits or ServerLimits()
        self._server: asyncio.Server | None = None
        self._connections: set[asyncio.Task[None]] = set()

    @property
    def active_connections(self) -> int:
        return len(self._connections)

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> tuple[str, int]:
        """Listen; returns the address bound (port 0 picks a free one)."""
        self._server = await asyncio.start_server(self._accept, host, port)
        bound: tuple[str, int] = self._server.sockets[0].getsockname()[:2]
        return bound

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._connections):
            task.cancel()
        if self._connections:
            await asyncio.gather(*self._connections, return_exceptions=True)
        if self._server is not None:
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Hj212Server:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        peer = _peer_name(writer)
        if len(self._connections) >= self.limits.max_connections:
            await self._refuse(peer, b"", "too_many_connections: connection closed")
            await _close(writer)
            return
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            await self._serve(peer, reader, writer)
        except (ConnectionError, TimeoutError):
            pass
        except Exception:  # one connection's failure must not reach the server
            log.exception("HJ 212 connection %s failed", peer)
        finally:
            self._connections.discard(task)
            await _close(writer)

    async def _serve(
        self, peer: str, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        limits = self.limits
        buffer = bytearray()
        while True:
            try:
                chunk = await asyncio.wait_for(reader.read(limits.read_size), limits.idle_timeout)
            except TimeoutError:
                if buffer:
                    await self._refuse(peer, bytes(buffer), "idle_timeout: incomplete frame")
                return
            if not chunk:
                if buffer:
                    await self._refuse(peer, bytes(buffer), "closed: incomplete frame")
                return
            buffer += chunk
            while (end := buffer.find(b"\r\n")) >= 0:
                line = bytes(buffer[: end + 2])
                del buffer[: end + 2]
                await self._line(peer, line, writer)
            if len(buffer) > limits.max_buffer:
                await self._refuse(peer, bytes(buffer), "oversized: no CRLF, connection cut")
                return

    async def _line(self, peer: str, line: bytes, writer: asyncio.StreamWriter) -> None:
        if not line.strip():
            return  # a bare line end, as some stations send to keep the link up
        start = _START.search(line)
        if start is None:
            await self._refuse(peer, line, "bad_header: no ## and length")
            return
        if start.start() > 0:
            await self._refuse(peer, line[: start.start()], "bad_header: garbage before ##")
            line = line[start.start() :]
        try:
            frame = parse_frame(line)
        except FrameRefused as refused:
            await self._refuse(peer, line, str(refused))
            await self._answer(writer, refusal_answer(refused))
            return
        if not is_data_upload(frame):
            await self._refuse(peer, line, f"unsupported_command: CN={frame.cn}")
            if frame.answer_required and frame.qn is not None:
                answer = request_answer(frame.qn, frame.pw, frame.mn, frame.flag, QnRtn.bad_cn)
                await self._answer(writer, answer)
            return
        try:
            upload = to_upload(frame)
        except FrameRefused as refused:
            await self._refuse(peer, line, str(refused))
            return
        try:
            verdict = await asyncio.wait_for(self._sink(upload), self.limits.sink_timeout)
        except Exception:  # no answer: the station keeps the data and sends it again
            log.exception("HJ 212 sink failed or timed out for MN %s", frame.mn)
            return
        if not verdict.accepted:
            await self._refuse(peer, line, f"refused: {verdict.reason}")
        if not frame.answer_required or frame.qn is None:
            return
        if verdict.accepted:
            await self._answer(writer, data_answer(frame.qn, frame.pw, frame.mn, frame.flag))
        else:
            answer = request_answer(frame.qn, frame.pw, frame.mn, frame.flag, verdict.qn_rtn)
            await self._answer(writer, answer)

    async def _answer(self, writer: asyncio.StreamWriter, answer: bytes | None) -> None:
        if answer is None:
            return
        writer.write(answer)
        await asyncio.wait_for(writer.drain(), self.limits.idle_timeout)

    async def _refuse(self, peer: str, raw: bytes, reason: str) -> None:
        try:
            result = self._on_refused(peer, raw[:RAW_KEPT], reason)
            if inspect.isawaitable(result):
                await result
        except Exception:  # a failing dead-letter store must not stop the stations' data
            log.exception("HJ 212 on_refused failed for %s", peer)


def _peer_name(writer: asyncio.StreamWriter) -> str:
    peer = writer.get_extra_info("peername")
    if isinstance(peer, tuple) and len(peer) >= 2:
        return f"{peer[0]}:{peer[1]}"
    return str(peer)


async def _close(writer: asyncio.StreamWriter) -> None:
    writer.close()
    with contextlib.suppress(ConnectionError, OSError):
        await writer.wait_closed()
