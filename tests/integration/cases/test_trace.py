"""Each step in a case's history names the request that caused it (X-Request-ID, or an id the
server made up and echoed), also when the writer stores the steps of several requests in one
batch, and the events of the step carry the same ids."""

from __future__ import annotations

import threading
from typing import Any

from case_city import GRID, LAMP, City
from sqlalchemy import select

from cityops.app import Platform
from cityops.cases.public import CaseSource, NewCase
from cityops.cases.store import cases
from cityops.infra.outbox import UnitOfWork, outbox
from cityops.kernel.events import request_trace, tracing


def _create(city: City, request_id: str | None) -> tuple[dict[str, Any], str]:
    headers = city.auth("op") | ({"X-Request-ID": request_id} if request_id else {})
    r = city.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": LAMP,
            "area_code": GRID,
        },
        headers=headers,
    )
    assert r.status_code == 201, r.text
    return r.json(), r.headers["X-Request-ID"]


def _events(platform: Platform, case_id: int) -> list[tuple[str, str, str, str]]:
    """(wire name, event id, correlation id, causation id) of the case's events, in order."""
    with platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    return [
        (r.name, r.payload["event_id"], r.payload["correlation_id"], r.payload["causation_id"])
        for r in rows
        if r.payload.get("case_id") == case_id
    ]


def test_every_step_names_the_request_that_caused_it(city: City) -> None:
    case, echoed = _create(city, "hotline-call-0007")
    assert echoed == "hotline-call-0007"
    r = city.client.post(
        f"/api/v1/cases/{case['id']}/actions/register",
        json={"version": case["version"]},
        headers=city.auth("op") | {"X-Request-ID": "console:register/1"},
    )
    assert r.status_code == 200, r.text
    assert r.headers["X-Request-ID"] == "console:register/1"
    r = city.client.post(  # no id given: the server makes one and says which
        f"/api/v1/cases/{case['id']}/actions/dispatch",
        json={"version": r.json()["version"]},
        headers=city.auth("disp"),
    )
    assert r.status_code == 200, r.text
    made_up = r.headers["X-Request-ID"]
    assert len(made_up) == 32

    steps = [
        (h["action"], h["correlation_id"], h["causation_id"])
        for h in city.history("disp", case["id"])
    ]
    assert steps == [
        ("report", "hotline-call-0007", "hotline-call-0007"),
        ("register", "console:register/1", "console:register/1"),
        ("dispatch", made_up, made_up),
    ]
    assert [(name, c, k) for name, _, c, k in _events(city.platform, case["id"])] == [
        ("case.reported", "hotline-call-0007", "hotline-call-0007"),
        ("case.registered", "console:register/1", "console:register/1"),
        ("case.dispatched", made_up, made_up),
    ]


def test_an_unusable_request_id_is_replaced(city: City) -> None:
    for bad in (b"has space", b"x" * 65, b"semi;colon", "\u00fcn".encode(), b""):
        r = city.client.get("/healthz", headers={"X-Request-ID": bad})
        assert r.status_code == 200
        made_up = r.headers["X-Request-ID"]
        assert made_up.encode() != bad
        assert len(made_up) == 32
    r = city.client.get("/api/v1/cases/1", headers={"X-Request-ID": "r-401"})
    assert r.status_code == 401
    assert r.headers["X-Request-ID"] == "r-401"  # an error answer carries it too


def test_cases_of_several_requests_stored_in_one_batch_keep_their_own_ids(
    city: City, platform: Platform
) -> None:
    with platform.read() as s:
        op = platform.org.actor_for_user(s, "op")
        prepared = []
        for i in range(3):  # each prepared while its request's trace is current…
            with tracing(request_trace(f"req-{i}")):
                prepared.append(
                    platform.cases.prepare_case(
                        s,
                        op,
                        NewCase(
                            source=CaseSource.hotline,
                            title=f"路灯不亮 {i}",
                            description="湖滨路口的路灯晚上不亮",
                            category_code=LAMP,
                            area_code=GRID,
                        ),
                    )
                )
    started, release = threading.Event(), threading.Event()

    def hold(_uow: UnitOfWork) -> None:
        started.set()
        assert release.wait(10)

    gate = platform.writes.submit(hold)
    assert started.wait(10)
    # …and handed to the writer from elsewhere, to be stored together in one call
    futures = [platform.writes.submit_many(platform.cases.store_cases, p) for p in prepared]
    release.set()
    gate.result(10)
    for f in futures:
        f.result(10)
    assert platform.writes.stats.largest >= 3
    with platform.read() as s:
        ids = dict(s.execute(select(cases.c.title, cases.c.id)).all())
    for i in range(3):
        case_id = ids[f"路灯不亮 {i}"]
        (report,) = city.history("op", case_id)
        assert (report["correlation_id"], report["causation_id"]) == (f"req-{i}", f"req-{i}")
        ((_, _, correlation, causation),) = _events(platform, case_id)
        assert (correlation, causation) == (f"req-{i}", f"req-{i}")
