"""The citizen behind an Open311 request: their phone (a mobile) or e-mail hears of each step of
the case, written in the same transaction as the case, and the token POST answers with is the
case's tracking code, which the portal's 查询进度 knows."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityops.app import Platform
from cityops.appeals.notify.store import notification_recipients, notifications
from cityops.appeals.open311 import inputs
from cityops.appeals.portal.store import portal_appeals
from cityops.cases.public import CaseFilter, CaseSource
from cityops.kernel.actor import Actor, Role

from .test_open311_api import BASE, parse, post


def _recipients(city: Platform) -> list[tuple[int, str, str]]:
    with city.read() as s:
        rows = s.execute(
            select(
                notification_recipients.c.case_id,
                notification_recipients.c.channel,
                notification_recipients.c.address,
            ).order_by(notification_recipients.c.id)
        )
        return [(r.case_id, r.channel, r.address) for r in rows]


def _messages(city: Platform) -> list[tuple[str, str, str]]:
    with city.read() as s:
        rows = s.execute(
            select(
                notifications.c.channel, notifications.c.recipient, notifications.c.message
            ).order_by(notifications.c.id)
        )
        return [(r.channel, r.recipient, r.message) for r in rows]


@pytest.mark.parametrize(
    ("contact", "expected"),
    [
        ({"phone": "13812345678"}, [("sms", "13812345678")]),
        ({"phone": "", "email": "li@example.com"}, [("email", "li@example.com")]),
        (
            {"phone": "13812345678", "email": "li@example.com"},
            [("sms", "13812345678"), ("email", "li@example.com")],
        ),
        ({"phone": "0571-87654321"}, []),  # a landline takes no SMS
        ({"phone": ""}, []),
    ],
)
def test_the_submitter_hears_of_the_case(
    api: TestClient,
    city: Platform,
    body: dict[str, Any],
    staff: Callable[..., Any],
    contact: dict[str, str],
    expected: list[tuple[str, str]],
) -> None:
    [receipt] = post(api, "json", {**body, **contact}).json()
    case = staff(receipt["service_request_id"], ("register", {}))
    assert [(ch, addr) for _id, ch, addr in _recipients(city)] == expected
    assert {case_id for case_id, _ch, _addr in _recipients(city)} <= {case.id}
    city.relay.drain()
    sent = _messages(city)
    # 受理 and 立案, to each contact
    assert sorted((ch, to) for ch, to, _m in sent) == sorted(expected * 2)
    for _ch, _to, message in sent:
        assert receipt["token"] in message


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_token_is_a_portal_tracking_code(
    api: TestClient, body: dict[str, Any], fmt: str
) -> None:
    sent = {**body, "attribute[appeal_type]": "report"}
    [receipt] = parse(fmt, post(api, fmt, sent).text)
    token, number = receipt["token"], receipt["service_request_id"]
    tracked = api.get(f"/api/v1/portal/track/{token}")
    assert tracked.status_code == 200, tracked.text
    page = tracked.json()
    assert (page["case_number"], page["tracking_code"]) == (number, token)
    assert page["appeal_type"] == "report"
    assert [s["step"] for s in page["timeline"]] == ["received"]
    # typed as people type it: lower case, without dashes
    assert api.get(f"/api/v1/portal/track/{token.replace('-', '').lower()}").status_code == 200
    # the GeoReport token lookup still answers
    by_token = api.get(f"{BASE}/tokens/{token}.{fmt}")
    assert parse(fmt, by_token.text) == [{"service_request_id": number, "token": token}]


def test_a_batch_of_requests_keeps_each_contact_with_its_case(
    city: Platform, body: dict[str, Any], api: TestClient
) -> None:
    """The group-commit writer stores many requests in one call: each case gets its own
    appeal record and recipients, in the same transaction."""
    phones = ["13800000001", "", "13800000003"]
    with city.read() as s:
        actor = city.open311.authenticate(s, body["api_key"])
        fields = {k: v for k, v in body.items() if not k.startswith("attribute[")}
        fields.pop("api_key")
        prepared = [
            city.open311.prepare_request(
                s, actor, inputs.parse_submission({**fields, "phone": phone}, {})
            )
            for phone in phones
        ]
    with city.uow() as uow:
        receipts = city.open311.store_requests(uow, prepared)
    numbers = [r.service_request_id for r in receipts]
    reader = Actor(user_id=None, username="lead", roles=frozenset({Role.leader}))
    only_open311 = CaseFilter(source=CaseSource.open311)
    with city.read() as s:
        ids = {c.number: c.id for c in city.cases.list_cases(s, reader, only_open311, 1, 10).items}
        appeals = s.execute(select(portal_appeals.c.case_id, portal_appeals.c.tracking_code)).all()
    assert sorted(_recipients(city)) == sorted(
        (ids[n], "sms", p) for n, p in zip(numbers, phones, strict=True) if p
    )
    assert sorted(appeals) == sorted((ids[r.service_request_id], r.token) for r in receipts)


@pytest.mark.parametrize("email", ["not-an-address", "a@b", "two@@example.com"])
def test_a_bad_email_is_400_and_nothing_is_written(
    api: TestClient, body: dict[str, Any], counts: Callable[[], tuple[int, int]], email: str
) -> None:
    r = post(api, "json", {**body, "email": email})
    assert r.status_code == 400, r.text
    assert "email" in r.json()[0]["description"]
    assert counts() == (0, 0)
