"""An HJ 212 station over a real TCP connection into the store: its readings stored once
committed and answered with 9014, a wrong password refused with 9011, a broken frame kept as a
dead letter — on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.sensing.hj212.public import (
    Hj212Server,
    PollutantItem,
    data_cp,
    data_segment,
    encode_frame,
)
from cityops.sensing.public import Hj212Sink

from .conftest import register

MN = "010000A8900016F000169DC0"


def _frame(p: Platform, pw: str, pm25: float, minutes_ago: int = 5) -> bytes:
    at = p.clock.now() - timedelta(minutes=minutes_ago)
    cp = data_cp(
        at,
        [
            PollutantItem("a34004", {"Rtd": pm25}, "N"),
            PollutantItem("a34002", {"Rtd": 80.0}, "N"),
            PollutantItem("a21026", {"Rtd": 9.0}, "M"),  # maintenance: counted, not stored
        ],
    )
    segment = data_segment(qn="20261123085857223", st="22", cn="2011", pw=pw, mn=MN, flag=5, cp=cp)
    return encode_frame(segment)


async def _talk(port: int, frames: list[bytes]) -> list[bytes]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    for frame in frames:
        writer.write(frame)
        await writer.drain()
        if frame.startswith(b"##") and frame.endswith(b"\r\n") and b"garbage" not in frame:
            answers.append(await asyncio.wait_for(reader.readline(), 10))
    writer.close()
    await writer.wait_closed()
    return answers


def test_a_station_reports_over_hj212(sensing_platform: Platform) -> None:
    p = sensing_platform
    register(p, MN, "air_quality")
    with p.uow() as uow:
        p.sensing.set_password(uow.session, SYSTEM, MN, "123456")
    sink = Hj212Sink(p.sensing.ingestion)

    async def run() -> list[bytes]:
        async with Hj212Server(sink, sink.on_refused) as server:
            _, port = await server.start()
            return await _talk(
                port,
                [
                    _frame(p, "123456", 35.2),
                    _frame(p, "123456", 35.2),  # sent again: stored once
                    _frame(p, "654321", 99.0),
                    b"##0010garbage0000\r\n",
                ],
            )

    answers = asyncio.run(run())
    assert b"CN=9014" in answers[0]
    assert b"CN=9014" in answers[1]
    assert b"CN=9011" in answers[2]
    p.sensing.writer.submit([], []).result(timeout=10)  # everything before it is committed
    with p.engine.connect() as conn:
        stored = dict(conn.execute(text("SELECT metric, value FROM sensing_points")).all())
        reasons = sorted(
            r[0] for r in conn.execute(text("SELECT reason FROM sensing_dead_letters"))
        )
    assert stored == {"pm25": 35.2, "pm10": 80.0}
    assert reasons == ["bad_credentials", "bad_frame"]
    assert p.sensing.ingestion.counters["hj212_flag_M"] == 2
