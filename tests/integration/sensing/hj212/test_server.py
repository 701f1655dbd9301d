"""The HJ 212 server on a free port of 127.0.0.1, with real socket clients: frames split across
packets and several in one, garbage between them, oversized and idle clients, too many
connections, a slow sink; the answers are read back and parsed."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from cityops.sensing.hj212.public import (
    Frame,
    Hj212Server,
    Hj212Upload,
    QnRtn,
    ServerLimits,
    SinkAnswer,
    encode_frame,
    parse_frame,
)

MN = "010000A8900016F000169DC0"
TIMEOUT = 5.0


def _upload(qn: str, *, flag: int = 5, value: str = "35.2", cn: str = "2011") -> bytes:
    segment = (
        f"QN={qn};ST=22;CN={cn};PW=123456;MN={MN};Flag={flag};CP=&&DataTime=20160801085857;"
        f"a34004-Rtd={value},a34004-Flag=N;a34002-Rtd=60,a34002-Flag=N&&"
    )
    return encode_frame(segment)


def _qn(n: int) -> str:
    return f"20160801085857{n:03d}"


@dataclass
class Recorder:
    """The sink and the dead-letter callback, recording what they were given."""

    uploads: list[Hj212Upload] = field(default_factory=list)
    refused: list[tuple[str, bytes, str]] = field(default_factory=list)
    answer: SinkAnswer = field(default_factory=SinkAnswer.accept)
    gate: asyncio.Event | None = None
    in_sink: int = 0
    calls: int = 0
    most_in_sink: int = 0
    fail_sink: bool = False

    async def sink(self, upload: Hj212Upload) -> SinkAnswer:
        self.in_sink += 1
        self.calls += 1
        self.most_in_sink = max(self.most_in_sink, self.in_sink)
        try:
            if self.gate is not None:
                await self.gate.wait()
            if self.fail_sink:
                raise RuntimeError("store down")
            self.uploads.append(upload)
            return self.answer
        finally:
            self.in_sink -= 1

    def on_refused(self, peer: str, raw: bytes, reason: str) -> None:
        self.refused.append((peer, raw, reason))

    def reasons(self) -> list[str]:
        return [reason.split(":")[0] for _, _, reason in self.refused]


Scenario = Callable[[Hj212Server, int, Recorder], Awaitable[None]]


def _run(scenario: Scenario, limits: ServerLimits | None = None, **recorder: Any) -> Recorder:
    record = Recorder(**recorder)

    async def main() -> None:
        async with Hj212Server(record.sink, record.on_refused, limits) as server:
            _, port = await server.start("127.0.0.1", 0)
            await asyncio.wait_for(scenario(server, port, record), 30)

    asyncio.run(main())
    return record


async def _connect(port: int) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    sock = writer.get_extra_info("socket")
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)  # each write its own packet
    return reader, writer


async def _answer(reader: asyncio.StreamReader) -> Frame:
    return parse_frame(await asyncio.wait_for(reader.readuntil(b"\r\n"), TIMEOUT))


async def _closed(reader: asyncio.StreamReader) -> bool:
    """True when the server closed the connection (EOF or reset) within TIMEOUT."""
    try:
        rest = await asyncio.wait_for(reader.read(), TIMEOUT)
    except ConnectionResetError:
        return True
    return rest == b""


async def _until(condition: Callable[[], bool]) -> None:
    """Wait (polling) until the condition holds; fail after TIMEOUT."""
    async with asyncio.timeout(TIMEOUT):
        while not condition():
            await asyncio.sleep(0.01)


async def _send(writer: asyncio.StreamWriter, *parts: bytes, pause: float = 0.01) -> None:
    for part in parts:
        writer.write(part)
        await writer.drain()
        await asyncio.sleep(pause)


def test_an_upload_is_read_into_readings_and_answered_with_9014() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1)))
        answer = await _answer(reader)
        assert (answer.cn, answer.qn, answer.st, answer.mn, answer.pw, answer.flag) == (
            "9014",
            _qn(1),
            "91",
            MN,
            "123456",
            4,
        )
        writer.close()

    record = _run(scenario)
    (upload,) = record.uploads
    assert [(r.device_code, r.metric, r.value) for r in upload.readings] == [
        (MN, "pm25", 35.2),
        (MN, "pm10", 60.0),
    ]
    assert upload.readings[0].ts.isoformat() == "2016-08-01T00:58:57+00:00"
    assert record.refused == []


def test_a_frame_split_byte_by_byte_and_frames_sharing_a_packet_are_all_answered() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        first = _upload(_qn(1))
        await _send(writer, *[first[i : i + 1] for i in range(len(first))], pause=0.0005)
        assert (await _answer(reader)).qn == _qn(1)
        await _send(writer, _upload(_qn(2)) + _upload(_qn(3)) + _upload(_qn(4))[:50])
        await _send(writer, _upload(_qn(4))[50:])
        assert [(await _answer(reader)).qn for _ in range(3)] == [_qn(2), _qn(3), _qn(4)]
        writer.close()

    record = _run(scenario)
    assert [u.qn for u in record.uploads] == [_qn(1), _qn(2), _qn(3), _qn(4)]


def test_garbage_between_frames_is_reported_and_the_frames_still_taken() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(
            writer,
            b"hello\r\n" + _upload(_qn(1)) + b"\x00\xff junk " + _upload(_qn(2)) + b"\r\n\r\n",
        )
        assert [(await _answer(reader)).qn for _ in range(2)] == [_qn(1), _qn(2)]
        writer.close()

    record = _run(scenario)
    assert [u.qn for u in record.uploads] == [_qn(1), _qn(2)]
    assert record.reasons() == ["bad_header", "bad_header"]  # bare line ends are no garbage
    assert record.refused[1][1] == b"\x00\xff junk "


def test_a_crc_error_is_answered_9011_qnrtn_9_and_the_connection_goes_on() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        broken = _upload(_qn(1)).replace(b"35.2", b"35.3")
        await _send(writer, broken, _upload(_qn(2)))
        answer = await _answer(reader)
        assert (answer.cn, answer.qn, answer.fields) == ("9011", _qn(1), {"QnRtn": "9"})
        assert (await _answer(reader)).cn == "9014"
        writer.close()

    record = _run(scenario)
    assert record.reasons() == ["crc_mismatch"]
    assert [u.qn for u in record.uploads] == [_qn(2)]


def test_an_oversized_frame_is_refused_and_an_endless_line_cuts_the_connection() -> None:
    limits = ServerLimits(max_buffer=2048)

    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        big = b"##1500" + b"x" * 1500 + b"ABCD\r\n"
        await _send(writer, big, _upload(_qn(1)))
        assert (await _answer(reader)).qn == _qn(1)
        with contextlib.suppress(ConnectionError):  # the server may cut it mid-write
            await _send(writer, *[b"garbage without end " * 50] * 4)
        assert await _closed(reader)
        writer.close()
        # the server itself still serves
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(2)))
        assert (await _answer(reader)).qn == _qn(2)
        writer.close()

    record = _run(scenario, limits)
    assert record.reasons() == ["oversized", "oversized"]
    assert "no CRLF" in record.refused[1][2]
    assert all(len(raw) <= 2048 for _, raw, _ in record.refused)


def test_an_idle_client_is_closed_and_its_half_frame_reported() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1))[:30])
        assert await _closed(reader)
        writer.close()

    record = _run(scenario, ServerLimits(idle_timeout=0.3))
    assert record.reasons() == ["idle_timeout"]
    assert record.uploads == []


def test_connections_beyond_the_maximum_are_closed_at_once() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        first = await _connect(port)
        second = await _connect(port)
        await _send(first[1], _upload(_qn(1)))
        await _send(second[1], _upload(_qn(2)))
        assert (await _answer(first[0])).qn == _qn(1)
        assert (await _answer(second[0])).qn == _qn(2)
        third_reader, third_writer = await _connect(port)
        assert await _closed(third_reader)
        assert server.active_connections == 2
        for _, writer in (first, second):
            writer.close()
        third_writer.close()

    record = _run(scenario, ServerLimits(max_connections=2))
    assert record.reasons() == ["too_many_connections"]


def test_a_slow_sink_holds_the_next_frame_back() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1)) + _upload(_qn(2)) + _upload(_qn(3)))
        await _until(lambda: record.in_sink == 1)
        await asyncio.sleep(0.2)  # time enough to take the other two, were it not waiting
        assert record.calls == 1
        assert record.uploads == []
        assert record.gate is not None
        record.gate.set()
        assert [(await _answer(reader)).qn for _ in range(3)] == [_qn(1), _qn(2), _qn(3)]
        writer.close()

    async def gated(server: Hj212Server, port: int, record: Recorder) -> None:
        record.gate = asyncio.Event()
        await scenario(server, port, record)

    record = _run(gated)
    assert record.most_in_sink == 1


def test_a_refusing_sink_gets_9011_with_its_qnrtn_and_no_answer_when_none_is_asked() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1), flag=4), _upload(_qn(2)))
        answer = await _answer(reader)  # the first asked for no answer
        assert (answer.cn, answer.qn, answer.fields) == ("9011", _qn(2), {"QnRtn": "3"})
        writer.close()

    record = _run(scenario, answer=SinkAnswer.refuse("wrong password", QnRtn.bad_password))
    assert record.reasons() == ["refused", "refused"]
    assert "wrong password" in record.refused[0][2]


def test_a_failing_sink_gives_no_answer_and_the_connection_goes_on() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1)))
        await _until(lambda: record.calls == 1)
        record.fail_sink = False
        await _send(writer, _upload(_qn(2)))
        assert (await _answer(reader)).qn == _qn(2)
        writer.close()

    record = _run(scenario, fail_sink=True)
    assert [u.qn for u in record.uploads] == [_qn(2)]


def test_a_command_the_server_does_not_serve_is_answered_cn_error() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        command = f"QN={_qn(1)};ST=32;CN=1062;PW=100000;MN={MN};Flag=5;CP=&&RtdInterval=30&&"
        await _send(writer, encode_frame(command))
        answer = await _answer(reader)
        assert (answer.cn, answer.fields) == ("9011", {"QnRtn": str(int(QnRtn.bad_cn))})
        writer.close()

    record = _run(scenario)
    assert record.reasons() == ["unsupported_command"]


def test_a_failing_dead_letter_callback_does_not_stop_the_connection() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        reader, writer = await _connect(port)
        await _send(writer, b"junk\r\n", _upload(_qn(1)))
        assert (await _answer(reader)).qn == _qn(1)
        writer.close()

    def broken(peer: str, raw: bytes, reason: str) -> None:
        raise RuntimeError("dead-letter store down")

    record = Recorder()

    async def main() -> None:
        async with Hj212Server(record.sink, broken) as server:
            _, port = await server.start()
            await scenario(server, port, record)

    asyncio.run(main())
    assert [u.qn for u in record.uploads] == [_qn(1)]


def test_a_sink_that_hangs_is_given_up_on_and_the_connection_goes_on() -> None:
    async def scenario(server: Hj212Server, port: int, record: Recorder) -> None:
        record.gate = asyncio.Event()
        reader, writer = await _connect(port)
        await _send(writer, _upload(_qn(1)))
        await _until(lambda: record.calls == 1)
        await _until(lambda: record.in_sink == 0)  # cancelled after sink_timeout
        record.gate.set()
        await _send(writer, _upload(_qn(2)))
        assert (await _answer(reader)).qn == _qn(2)  # the first was never answered
        writer.close()

    record = _run(scenario, ServerLimits(sink_timeout=0.2))
    assert [u.qn for u in record.uploads] == [_qn(2)]
