"""One appeal traced back to the request that brought it: the report, the router's decision,
its register and dispatch, and the messages to the citizen all carry the portal request's id,
and each names what caused it (the request, or the event a handler acted on)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from cityops.infra.outbox import outbox

from .conftest import RoutingCity

SCHOOL = "孩子所在学校的老师违规有偿补课，学校收取高额补课费，请教育局查处"
REQUEST_ID = "portal-7f3a9c01"


def _submit(city: RoutingCity) -> dict[str, Any]:
    lon, lat = city.point()
    r = city.client.post(
        "/api/v1/portal/appeals",
        data={
            "appeal_type": "complaint",
            "description": SCHOOL,
            "category_code": "auto",
            "lon": str(lon),
            "lat": str(lat),
            "phone": "13812345678",
        },
        headers={"X-Request-ID": REQUEST_ID},
    )
    assert r.status_code == 201, r.text
    assert r.headers["X-Request-ID"] == REQUEST_ID
    body: dict[str, Any] = r.json()
    return body


def _event_ids(city: RoutingCity, case_id: int) -> dict[str, tuple[str, str, str]]:
    """wire name → (event id, correlation id, causation id) of the case's events."""
    with city.platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    return {
        r.name: (r.payload["event_id"], r.payload["correlation_id"], r.payload["causation_id"])
        for r in rows
        if r.payload.get("case_id") == case_id
    }


def test_the_routing_dispatch_and_sms_of_an_appeal_lead_back_to_its_request(
    city: RoutingCity,
) -> None:
    receipt = _submit(city)
    case_id = city.case_by_number(receipt["case_number"])["id"]
    city.drain()  # routing decides and dispatches; the citizen hears of each step

    events = _event_ids(city, case_id)
    assert set(events) >= {"case.reported", "case.registered", "case.dispatched"}
    reported, _, _ = events["case.reported"]
    assert events["case.reported"][1:] == (REQUEST_ID, REQUEST_ID)
    # the router's steps were caused by the report it decided on, in the request's chain
    assert events["case.registered"][1:] == (REQUEST_ID, reported)
    assert events["case.dispatched"][1:] == (REQUEST_ID, reported)

    lines = {h["action"]: h for h in city.history("disp", case_id)}
    assert (lines["report"]["correlation_id"], lines["report"]["causation_id"]) == (
        REQUEST_ID,
        REQUEST_ID,
    )
    for action in ("register", "dispatch"):
        assert lines[action]["actor_name"] == "智能分拨"
        assert (lines[action]["correlation_id"], lines[action]["causation_id"]) == (
            REQUEST_ID,
            reported,
        )

    decision = city.routing(case_id)["decision"]
    assert decision["outcome"] == "auto_dispatched"
    assert (decision["correlation_id"], decision["causation_id"]) == (REQUEST_ID, reported)

    r = city.client.get(
        "/api/v1/notifications", params={"case_id": case_id}, headers=city.auth("adm")
    )
    assert r.status_code == 200, r.text
    messages = r.json()["items"]
    told = {m["event_name"]: m for m in messages}
    assert {"CaseReported", "CaseDispatched"} <= set(told)
    by_id = {event_id: name for name, (event_id, _, _) in events.items()}
    for m in messages:  # each message names the step it tells of as its cause
        assert m["correlation_id"] == REQUEST_ID
        assert m["causation_id"] in by_id
    assert told["CaseReported"]["causation_id"] == reported
    assert told["CaseDispatched"]["causation_id"] == events["case.dispatched"][0]
