"""A phone number is the domain's to judge (cases.model.checked_phone), not the API's: the case
API takes every way of writing a number that the portal and the hotline take, stores it in one
form, and refuses what is no number with the domain's `invalid_phone`."""

from __future__ import annotations

import pytest

from .conftest import GRID, LAMP, City


@pytest.mark.parametrize(
    "written",
    ["138 1234 5678", "１３８１２３４５６７８", "138-1234-5678"],
    ids=["spaces", "full-width digits", "dashes"],
)
def test_a_number_written_any_way_is_stored_in_one_form(city: City, written: str) -> None:
    case = city.create(reporter_phone=written)
    assert city.get("disp", case["id"], reveal="contact")["reporter_phone"] == "13812345678"


def test_what_is_no_number_is_refused_by_the_domain(city: City) -> None:
    before = city.snapshot()
    body = {
        "source": "hotline",
        "title": "路灯不亮",
        "description": "湖滨路口的路灯晚上不亮",
        "category_code": LAMP,
        "area_code": GRID,
        "reporter_phone": "12345",
    }
    r = city.client.post("/api/v1/cases", headers=city.auth("op"), json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_phone"
    assert city.snapshot() == before
