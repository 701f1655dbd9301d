"""Personal data written into free text is masked in every public Open311 document: a request's
description and address (one and the list, JSON and XML) and the updates (the report step and a
handler's note). The staff API keeps the raw text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from .test_open311_api import BASE, parse, post

DESCRIPTION = "电梯困人，我的电话13912345678，我叫张三，身份证330103199001011234"
RAW = ["13912345678", "张三", "330103199001011234", "13900000000", "0571-87654321"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_requests_and_updates_mask_personal_data(
    api: TestClient, body: dict[str, Any], staff: Callable[..., Any], fmt: str
) -> None:
    sent = {**body, "description": DESCRIPTION, "address_string": "有事打0571-87654321"}
    number = parse("json", post(api, "json", sent).text)[0]["service_request_id"]
    staff(
        number,
        ("register", {}),
        ("dispatch", {"department_code": "SWJ"}),
        ("sign", {}),
        ("finish", {"note": "已解救，联系人王师傅13900000000"}),
    )
    one = api.get(f"{BASE}/requests/{number}.{fmt}")
    listed = api.get(f"{BASE}/requests.{fmt}")
    updates = api.get(f"{BASE}/servicerequestupdates.{fmt}")
    for r in (one, listed, updates):
        assert r.status_code == 200, r.text
        for raw in RAW:
            assert raw not in r.text
    [req] = parse(fmt, one.text)
    assert req["description"] == (
        "电梯困人，我的电话139****5678，我叫张*，身份证330***********1234"
    )
    assert req["address"] == "有事打0571-****4321"
    descriptions = [u["description"] for u in parse(fmt, updates.text)]
    assert descriptions[0] == f"受理：{req['description']}"
    assert descriptions[-1] == "办结反馈：已解救，联系人王**139****0000"


def test_the_reporters_own_name_is_masked_in_the_text(
    api: TestClient, body: dict[str, Any]
) -> None:
    # the name given in first_name/last_name is never published, not even inside the text
    sent = {
        **body,
        "description": "赵六反映：赵六家楼下井盖松动",
        "last_name": "赵",
        "first_name": "六",
    }
    number = post(api, "json", sent).json()[0]["service_request_id"]
    req = api.get(f"{BASE}/requests/{number}.json").json()[0]
    assert req["description"] == "赵*反映：赵*家楼下井盖松动"


def test_staff_read_the_text_masked_and_as_written_when_revealed(
    api: TestClient, body: dict[str, Any], city: Any
) -> None:
    from cityops.cases.public import CaseFilter, CaseSource
    from cityops.kernel.actor import Actor, Role

    post(api, "json", {**body, "description": DESCRIPTION})
    operator = Actor(user_id=None, username="op", roles=frozenset({Role.operator}))
    with city.read() as s:
        [case] = city.cases.list_cases(
            s, operator, CaseFilter(source=CaseSource.open311), 1, 5
        ).items
    assert case.description == "电梯困人，我的电话139****5678，我叫张*，身份证330***********1234"
    with city.uow() as uow:  # the reveal writes its audit line
        revealed = city.cases.get_case(uow.session, operator, case.id, reveal_contact=True)
    assert revealed.description == DESCRIPTION
