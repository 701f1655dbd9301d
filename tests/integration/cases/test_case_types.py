"""A case type is configuration: a platform built with one more type — 数据纠错, a report that
published data is wrong, covering the cases of category E95… and bringing its own action
`confirm_error` (确认数据错误) — offers that action on its cases only, over HTTP, with its own
body in OpenAPI, its history line and its event; an ordinary case refuses it as an unknown
action. Nothing in the engine names the type."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from case_city import GRID, LAMP, WORKING, City
from pydantic import Field
from sqlalchemy import select

from cityops.app import Platform, build_platform
from cityops.cases.events import CaseEvent
from cityops.cases.model import ActionInput, CaseState, CaseStatus
from cityops.cases.public import WORKFLOW, ActionBody, ActionSpec, CaseType, CaseTypes
from cityops.cases.workflow.spec import FormField, Reading, Step
from cityops.infra.outbox import outbox
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM, Role
from cityops.kernel.clock import FixedClock
from cityops.taxonomy.public import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.worktime.public import Stage

DATA_ERRORS = "E95"  # 数据纠错 in the test taxonomy
WRONG_ROAD_NAME = "E9501"  # 道路名称错误


class ConfirmErrorBody(ActionBody):
    dataset: str = Field(min_length=1, max_length=100, description="the data set that is wrong")


@dataclass(frozen=True, kw_only=True)
class DataErrorConfirmed(CaseEvent, wire="case.test_data_error_confirmed", version=1):
    dataset: str


def _confirm(step: Step) -> CaseState:
    step.restart(Stage.dispatch, step.now)
    return dataclasses.replace(step.state, registered_at=step.now)


def _read(body: ConfirmErrorBody, reading: Reading) -> ActionInput:
    return ActionInput()


CONFIRM_ERROR: ActionSpec[ConfirmErrorBody] = ActionSpec(
    name="confirm_error",
    title="确认数据错误",
    sources=frozenset({CaseStatus.reported}),
    target=CaseStatus.registered,
    roles=frozenset({Role.operator, Role.dispatcher}),
    body=ConfirmErrorBody,
    read=_read,
    effect=_confirm,
    history=lambda done: {"dataset": done.body.dataset},
    events=lambda done: [DataErrorConfirmed(**done.event_fields(), dataset=done.body.dataset)],
    form=(FormField("dataset", required=True),),
)
DATA_ERROR = CaseType(
    name="data_error",
    title="数据纠错",
    workflow=WORKFLOW.with_actions(CONFIRM_ERROR),
    category_prefixes=(DATA_ERRORS,),
)


@pytest.fixture
def platform(settings: Settings, clock: FixedClock) -> Iterator[Platform]:
    p = build_platform(settings, clock=clock, migrate=False, case_types=CaseTypes(DATA_ERROR))
    yield p
    p.close()


@pytest.fixture
def typed_city(city: City) -> City:
    with city.platform.uow() as uow:
        for code, name, parent in [
            (DATA_ERRORS, "数据纠错", None),
            (WRONG_ROAD_NAME, "道路名称错误", DATA_ERRORS),
        ]:
            category = Category(
                code=code,
                name=name,
                parent_code=parent,
                level=(len(code) - 1) // 2,
                kind=CategoryKind.event,
                filing_condition="公开数据与实际不符",
                urgency=Urgency.normal,
                responsible_kind=ResponsibleKind.street_office,
                department_code=None,
                limits=WORKING,
            )
            city.platform.taxonomy.upsert_category(uow, SYSTEM, category)
    return city


def _events(platform: Platform, case_id: int) -> list[tuple[str, Any]]:
    with platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    return [(r.name, r.payload) for r in rows if r.payload.get("case_id") == case_id]


def test_a_case_of_the_new_type_takes_its_action_over_http(typed_city: City) -> None:
    city = typed_city
    case = city.create(title="地图上的路名错了", category_code=WRONG_ROAD_NAME, area_code=GRID)
    assert "confirm_error" in case["allowed_actions"]
    assert "confirm_error" in city.get("disp", case["id"])["allowed_actions"]
    assert "confirm_error" not in city.get("boss", case["id"])["allowed_actions"]
    refused = city.act("boss", case, "confirm_error", 403, dataset="路网")  # its roles
    assert refused["error"]["code"] == "role_not_allowed"
    city.act("op", case, "confirm_error", 422)  # its body: the data set is required
    city.act("op", case, "confirm_error", 422, dataset="路网", department_code="CGJ")
    done = city.act("op", case, "confirm_error", dataset="路网")
    assert (done["status"], done["stage"]) == ("registered", "dispatch")
    assert "confirm_error" not in done["allowed_actions"]
    assert "dispatch" in city.get("disp", case["id"])["allowed_actions"]  # then as any case
    line = city.history("op", case["id"])[-1]
    assert (line["action"], line["from_status"], line["to_status"]) == (
        "confirm_error",
        "reported",
        "registered",
    )
    assert line["data"]["dataset"] == "路网"
    name, payload = _events(city.platform, case["id"])[-1]
    assert (name, payload["dataset"], payload["status"]) == (
        "case.test_data_error_confirmed",
        "路网",
        "registered",
    )


def test_an_ordinary_case_refuses_the_action_as_unknown(typed_city: City) -> None:
    city = typed_city
    case = city.create(category_code=LAMP)
    assert "confirm_error" not in case["allowed_actions"]
    assert "register" in case["allowed_actions"]
    before = city.snapshot()
    r = city.client.post(
        f"/api/v1/cases/{case['id']}/actions/confirm_error",
        json={"version": case["version"], "dataset": "路网"},
        headers=city.auth("op"),
    )
    assert (r.status_code, r.json()["error"]["code"]) == (404, "unknown_action")
    assert "confirm_error" not in r.json()["error"]["details"]["actions"]
    assert city.snapshot() == before
    unknown = city.client.post(  # as a name no case type has
        f"/api/v1/cases/{case['id']}/actions/acknowledge",
        json={"version": case["version"]},
        headers=city.auth("op"),
    )
    assert (unknown.status_code, unknown.json()["error"]["code"]) == (404, "unknown_action")


def test_the_api_declares_the_actions_of_every_type(typed_city: City) -> None:
    city = typed_city
    r = city.client.get("/api/v1/case-actions", headers=city.auth("op"))
    actions = {a["name"]: a for a in r.json()}
    assert list(actions) == [*WORKFLOW.names, "confirm_error"]
    assert actions["confirm_error"]["case_types"] == ["data_error"]
    assert actions["register"]["case_types"] == ["data_error", "general"]
    assert [f["name"] for f in actions["confirm_error"]["fields"]] == ["dataset"]
    schema = city.client.get("/openapi.json").json()
    operation = schema["paths"]["/api/v1/cases/{case_id}/actions/confirm_error"]["post"]
    ref = operation["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert ref.endswith("/ConfirmErrorBody")
    body = schema["components"]["schemas"]["ConfirmErrorBody"]
    assert "dataset" in body["required"]
