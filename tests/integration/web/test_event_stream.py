"""GET /api/v1/events on SQLite and PostgreSQL, through real uvicorn servers: an event committed
elsewhere arrives, a reconnect replays exactly what was missed, a second server process on the
same database feeds its own clients, scoped roles see only their cases, and the stream never
carries personal data."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from case_city import GRID, OTHER_GRID, City, build_city
from fastapi.testclient import TestClient
from live_server import free_port, serve
from sqlalchemy import select
from sse import SseEvent, StreamReader, parse

from cityops.app import Platform
from cityops.cases.events import CaseSupervised
from cityops.infra.outbox import outbox
from cityops.kernel.clock import FixedClock
from cityops.web import event_stream
from cityops.web.app import create_app

PHONE = "13812345678"


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)


@pytest.fixture
def base(platform: Platform, city: City) -> Iterator[str]:
    with serve(platform) as url:
        yield url


def _reader(base: str, city: City, user: str, **params: Any) -> StreamReader:
    params.setdefault("max_seconds", 15)
    return StreamReader(f"{base}/api/v1/events", city.auth(user), params).start()


def _cases(events: list[SseEvent]) -> list[str]:
    return [e.data["case_number"] for e in events if e.event.startswith("case.")]


def _case_row_ids(platform: Platform, after: int) -> list[int]:
    with platform.read() as s:
        rows = s.execute(
            select(outbox.c.id)
            .where(outbox.c.id > after, outbox.c.name.startswith("case."))
            .order_by(outbox.c.id)
        )
        return [int(r[0]) for r in rows]


def test_an_event_committed_elsewhere_arrives(base: str, city: City) -> None:
    reader = _reader(base, city, "disp")
    assert reader.status == 200
    case = city.create("op", area_code=GRID)
    [event] = reader.wait_for(lambda es: case["number"] in _cases(es))
    assert event.event == "case.reported"
    assert event.data == {
        "type": "case.reported",
        "id": event.id,
        "case_id": case["id"],
        "case_number": case["number"],
        "status": case["status"],
        "area_code": GRID,
    }
    assert PHONE not in reader.text
    assert "张三" not in reader.text


def test_a_reconnect_replays_exactly_the_missed_events(
    base: str, city: City, platform: Platform
) -> None:
    reader = _reader(base, city, "disp", topics="case")
    first = city.create("op", area_code=GRID)
    [seen] = reader.wait_for(lambda es: first["number"] in _cases(es))
    assert seen.id is not None
    missed = [city.create("op", area_code=GRID) for _ in range(3)]
    city.act("op", missed[0], "register")
    expected = _case_row_ids(platform, seen.id)
    assert len(expected) == 4
    # a replay covers up to where the server's tail has read; the live reader seeing the last
    # missed event shows the tail is past it (what comes later arrives live, not in the replay)
    reader.wait_for(lambda es: expected[-1] in [e.id for e in es])
    again = httpx.get(
        f"{base}/api/v1/events",
        params={"max_seconds": 0},
        headers=city.auth("disp") | {"Last-Event-ID": str(seen.id)},
    )
    replayed = parse(again.text)
    assert [e.id for e in replayed] == expected  # no gap, no duplicate, in order
    assert [e.data["case_number"] for e in replayed][:3] == [c["number"] for c in missed]


def test_an_id_this_database_never_gave_is_answered_with_reset(base: str, city: City) -> None:
    r = httpx.get(
        f"{base}/api/v1/events",
        params={"max_seconds": 0, "last_event_id": 10**9},
        headers=city.auth("disp"),
    )
    assert r.headers["content-type"].startswith("text/event-stream")
    assert "content-encoding" not in r.headers  # never gzip-buffered
    assert r.text.startswith("retry: ")
    assert [e.event for e in parse(r.text)] == ["reset"]


def test_scoped_roles_get_only_their_cases(base: str, city: City) -> None:
    inspector = _reader(base, city, "insp")  # street X
    handler = _reader(base, city, "h_water")  # SWJ: no case dispatched to it
    dispatcher = _reader(base, city, "disp")
    mine = city.create("op", area_code=GRID)
    other = city.create("op", area_code=OTHER_GRID)
    dispatcher.wait_for(lambda es: {mine["number"], other["number"]} <= set(_cases(es)))
    inspector.wait_for(lambda es: mine["number"] in _cases(es))
    time.sleep(0.3)  # the out-of-scope event was fanned out with the same batch or before
    assert other["number"] not in inspector.text
    assert _cases(handler.events) == []
    # and the replay applies the same scope
    replay = httpx.get(
        f"{base}/api/v1/events",
        params={"max_seconds": 0, "last_event_id": 0},
        headers=city.auth("insp"),
    )
    assert mine["number"] in replay.text
    assert other["number"] not in replay.text


def test_topics_narrow_the_stream(base: str, city: City) -> None:
    reader = _reader(base, city, "disp", topics="alarm")
    case = city.create("op", area_code=GRID)
    marker = _reader(base, city, "disp", topics="case")
    marker.wait_for(lambda es: True, timeout=0.1)
    city.create("op", area_code=GRID)
    marker.wait_for(lambda es: len(_cases(es)) >= 1)
    assert case["number"] not in reader.text
    assert _cases(reader.events) == []


def test_a_slow_client_is_cut_without_holding_up_the_others(
    city: City, platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two streams of the app, over ASGI: the slow one's writes hang (a client that stopped
    reading), the fast one's go through. The slow one's queue fills, it is cut and, once its
    write returns, gets `reconnect` and its end; the fast one gets every event meanwhile."""
    monkeypatch.setattr(event_stream, "QUEUE_FRAMES", 100)
    app = create_app(platform)
    token = city.auth("disp")["Authorization"].encode()
    total = 300

    def scope() -> dict[str, Any]:
        return {
            "type": "http",
            "asgi": {"version": "3.0", "spec_version": "2.4"},
            "http_version": "1.1",
            "method": "GET",
            "scheme": "http",
            "path": "/api/v1/events",
            "raw_path": b"/api/v1/events",
            "query_string": b"max_seconds=60&topics=case.supervised",
            "root_path": "",
            "headers": [(b"authorization", token), (b"host", b"test")],
            "client": ("127.0.0.1", 50000),
            "server": ("test", 80),
        }

    def emit() -> None:
        for start in range(0, total, 50):
            with platform.uow() as uow:
                uow.emit_all(
                    [
                        CaseSupervised(
                            occurred_at=platform.clock.now(),
                            case_id=900_000 + n,
                            case_number=f"S{n}",
                            status="dispatched",
                        )
                        for n in range(start, start + 50)
                    ]
                )
            time.sleep(0.05)

    def body(sent: list[dict[str, Any]]) -> bytes:
        return b"".join(m.get("body", b"") for m in sent)

    async def main() -> None:
        release, never = asyncio.Event(), asyncio.Event()
        slow_sent: list[dict[str, Any]] = []
        fast_sent: list[dict[str, Any]] = []

        async def slow_send(message: dict[str, Any]) -> None:
            slow_sent.append(message)
            if message["type"] == "http.response.body":
                await release.wait()

        async def fast_send(message: dict[str, Any]) -> None:
            fast_sent.append(message)

        async def receive() -> dict[str, Any]:
            await never.wait()
            return {"type": "http.disconnect"}

        slow = asyncio.create_task(app(scope(), receive, slow_send))
        fast = asyncio.create_task(app(scope(), receive, fast_send))
        while len(slow_sent) < 2 or len(fast_sent) < 2:  # both streams open
            await asyncio.sleep(0.01)
        await asyncio.to_thread(emit)
        for _ in range(1000):
            if body(fast_sent).count(b"event: case.supervised") >= total:
                break
            await asyncio.sleep(0.01)
        release.set()
        await asyncio.wait_for(slow, 10)  # the slow stream ended by itself
        fast.cancel()
        fast_events = [e for e in parse(body(fast_sent).decode()) if e.event.startswith("case.")]
        assert [e.data["case_number"] for e in fast_events] == [f"S{n}" for n in range(total)]
        slow_events = parse(body(slow_sent).decode())
        assert [e.event for e in slow_events] == ["reconnect"]

    try:
        asyncio.run(main())
    finally:
        app.state.event_hub.stop()  # no lifespan here to stop it


@pytest.mark.parametrize("user", ["cit"])
def test_citizens_are_refused(base: str, city: City, user: str) -> None:
    r = httpx.get(f"{base}/api/v1/events", params={"max_seconds": 0}, headers=city.auth(user))
    assert r.status_code == 403
    assert httpx.get(f"{base}/api/v1/events", params={"max_seconds": 0}).status_code == 401


def test_an_event_written_through_another_server_process_arrives(
    city: City, platform: Platform, clock: FixedClock, tmp_path: Path
) -> None:
    """Two `uvicorn` processes on one database: a case posted to the second reaches a stream
    of the first."""
    clock.set(datetime.now(UTC))  # the servers check the tokens on their own clocks
    env = os.environ | {
        "CITYOPS_ENV": "dev",
        "CITYOPS_DATABASE_URL": platform.settings.database_url,
        "CITYOPS_ROUTER_MODEL_DIR": str(tmp_path / "no-model"),
    }
    ports = [free_port(), free_port()]
    servers = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "cityops.web.server:app",
                "--factory",
                "--host",
                "127.0.0.1",
                "--port",
                str(port),
                "--no-proxy-headers",
                "--log-level",
                "warning",
                "--timeout-graceful-shutdown",
                "2",
            ],
            env=env,
        )
        for port in ports
    ]
    try:
        urls = [f"http://127.0.0.1:{port}" for port in ports]
        for url in urls:
            _wait_up(url)
        reader = _reader(urls[0], city, "disp")
        assert reader.status == 200
        body = {
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": "E9001",
            "area_code": GRID,
        }
        r = httpx.post(f"{urls[1]}/api/v1/cases", json=body, headers=city.auth("op"), timeout=60)
        assert r.status_code == 201, r.text
        reader.wait_for(lambda es: r.json()["number"] in _cases(es), timeout=15)
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def _wait_up(url: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError(f"{url} did not start")
