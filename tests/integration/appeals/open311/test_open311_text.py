"""Control characters in an Open311 POST requests (form-encoded, as Open311 clients send it):
the free text is stored clean, a code holding one is a 400, and the Excel export still opens."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from cityops.app import Platform
from cityops.cases.store import cases
from cityops.kernel.actor import SYSTEM
from cityops.kernel.text import clean_text
from cityops.org.public import NewUser

PASSWORD = "correct horse battery"


def _dispatcher_auth(city: Platform) -> dict[str, str]:
    with city.uow() as uow:
        city.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="disp311", password=PASSWORD, display_name="d", roles=["dispatcher"]),
        )
    with city.read() as s:
        token = city.org.access_token_for_user(s, "disp311").access_token
    return {"Authorization": f"Bearer {token}"}


def test_form_encoded_request_with_control_characters(
    api: TestClient, city: Platform, body: dict[str, Any]
) -> None:
    form = {
        **body,
        "description": "井盖\x0b松动\x0c，车辆经过有响声\r\n夜里更响",
        "address_string": "湖滨路\x0b口",
        "first_name": "三\x0c",
        "last_name": "张\x0b",
    }
    r = api.post("/open311/v2/requests.json", data=form)
    assert r.status_code == 200, r.text
    with city.read() as s:
        row = s.execute(
            select(cases.c.title, cases.c.description, cases.c.address, cases.c.reporter_name)
        ).one()
    assert row.description == "井盖松动，车辆经过有响声\n夜里更响"
    assert clean_text(row.title) == row.title
    assert row.address == "湖滨路口"
    assert row.reporter_name == "张三"

    r = api.get("/api/v1/cases/export", params={"format": "xlsx"}, headers=_dispatcher_auth(city))
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content))["cases"]
    head, got = (list(v) for v in sheet.iter_rows(values_only=True))
    assert dict(zip(head, got, strict=True))["反映人"] == "张三"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("service_code", "C010\x00102"),
        ("account_id", "acc\x00ount"),
        ("email", "zhang\x00@example.org"),
    ],
)
def test_a_code_with_a_control_character_is_refused(
    api: TestClient, city: Platform, body: dict[str, Any], field: str, value: str
) -> None:
    r = api.post("/open311/v2/requests.json", data={**body, field: value})
    assert r.status_code == 400, r.text
    (error,) = r.json()
    assert field in error["description"]
    with city.read() as s:
        assert s.execute(select(cases.c.id)).first() is None
