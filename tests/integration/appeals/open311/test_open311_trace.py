"""An Open311 request's X-Request-ID is the correlation id of the case it opens: its history's
report line and its CaseReported event carry it, as for the console and the portal."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from cityops.app import Platform
from cityops.cases.store import case_history, cases
from cityops.infra.outbox import outbox

REQUEST_ID = "open311-client-0042"


def test_an_open311_request_is_traced_to_its_request_id(
    api: TestClient, city: Platform, body: dict[str, Any]
) -> None:
    r = api.post("/open311/v2/requests.json", data=body, headers={"X-Request-ID": REQUEST_ID})
    assert r.status_code == 200, r.text
    assert r.headers["X-Request-ID"] == REQUEST_ID
    number = json.loads(r.text)[0]["service_request_id"]
    with city.read() as s:
        case_id = s.execute(select(cases.c.id).where(cases.c.number == number)).scalar_one()
        line = s.execute(
            select(case_history.c.correlation_id, case_history.c.causation_id).where(
                case_history.c.case_id == case_id
            )
        ).one()
        payloads = s.execute(
            select(outbox.c.payload).where(outbox.c.name == "case.reported")
        ).scalars()
        reported = [p for p in payloads if p["case_id"] == case_id]
    assert tuple(line) == (REQUEST_ID, REQUEST_ID)
    assert [(p["correlation_id"], p["causation_id"]) for p in reported] == [
        (REQUEST_ID, REQUEST_ID)
    ]
