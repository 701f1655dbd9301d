"""Open311 reads of a case merged into another that was merged in turn (合并办理 twice): the
first reporter's updates follow both cases after each merge, numbered and named through them,
and the request shares the outcome of the last case of the chain."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseFilter, CaseView
from cityops.kernel.actor import Actor, Role

BASE = "/open311/v2"
OPERATOR = Actor(user_id=None, username="op-test", roles=frozenset({Role.operator}))
DISPATCHER = Actor(user_id=None, username="disp-test", roles=frozenset({Role.dispatcher}))


def _submit(api: TestClient, body: dict[str, Any], description: str) -> str:
    r = api.post(f"{BASE}/requests.json", data={**body, "description": description})
    assert r.status_code == 200, r.text
    number: str = r.json()[0]["service_request_id"]
    return number


def _case(city: Platform, number: str) -> CaseView:
    with city.read() as s:
        page = city.cases.list_cases(s, OPERATOR, CaseFilter(q=number), 1, 5)
    [case] = [c for c in page.items if c.number == number]
    return case


def _act(city: Platform, actor: Actor, number: str, action: CaseAction, **fields: Any) -> None:
    case = _case(city, number)
    with city.uow() as uow:
        city.cases.act(uow, actor, case.id, action, ActionCommand(version=case.version, **fields))


def _merge(city: Platform, number: str, into: str, reason: str) -> None:
    _act(
        city, DISPATCHER, number, CaseAction.merge, into_case_id=_case(city, into).id, reason=reason
    )


def test_a_chain_of_merges_is_followed_in_updates_and_requests(
    api: TestClient, city: Platform, body: dict[str, Any], clock: Any
) -> None:
    first = _submit(api, body, "湖滨路口污水井盖松动")
    middle = _submit(api, body, "湖滨路口井盖有响声")
    last = _submit(api, body, "湖滨路口井盖松了")
    clock.advance(timedelta(minutes=10))
    _merge(city, first, middle, "同一井盖")
    clock.advance(timedelta(minutes=10))
    _merge(city, middle, last, "同一处")
    clock.advance(timedelta(minutes=10))
    _act(city, OPERATOR, last, CaseAction.register, note="符合立案条件")
    _act(city, DISPATCHER, last, CaseAction.dispatch)

    r = api.get(f"{BASE}/servicerequestupdates.json")
    assert r.status_code == 200, r.text
    mine = [u for u in r.json() if u["service_request_id"] == first]
    assert [u["description"] for u in mine] == [
        "受理：湖滨路口污水井盖松动",
        "合并：同一井盖",
        f"合并办理（{middle}）合并：同一处",
        f"合并办理（{last}）立案：符合立案条件",
        f"合并办理（{last}）派遣",
    ]
    assert [u["status"] for u in mine] == [
        "open",
        "duplicate",
        "duplicate",
        "investigating",
        "action_scheduled",
    ]
    assert [u["updated_datetime"][11:16] for u in mine] == [
        "09:00",
        "09:10",
        "09:20",
        "09:30",
        "09:30",
    ]
    assert [u["update_id"].split("-", 1)[1] for u in mine[2:]] == [
        f"{middle}-2",
        f"{last}-2",
        f"{last}-3",
    ]
    # the middle case follows only the last one, after its own merge
    theirs = [u["description"] for u in r.json() if u["service_request_id"] == middle]
    assert theirs == [
        "受理：湖滨路口井盖有响声",
        "合并：同一处",
        f"合并办理（{last}）立案：符合立案条件",
        f"合并办理（{last}）派遣",
    ]

    by_id = api.get(f"{BASE}/requests.json?service_request_id={first},{middle}").json()
    one = api.get(f"{BASE}/requests/{first}.json").json()
    listed = {r["service_request_id"]: r for r in api.get(f"{BASE}/requests.json").json()}
    for request in (by_id[0], one[0], listed[first], by_id[1], listed[middle]):
        attrs = request["extended_attributes"]
        assert attrs["merged_into"] == last
        assert (request["status"], attrs["detailed_status"]) == ("open", "action_scheduled")
        assert attrs["case_status"] == "cancelled"
        assert request["status_notes"] == f"已合并至 {last} 办理：已派遣"
