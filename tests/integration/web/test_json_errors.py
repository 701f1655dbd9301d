"""A body that is not JSON is a 422 invalid_json that says what the decoder found and where (line
and column), not a "field" named after a character offset; real field errors stay as they were."""

from __future__ import annotations

import pytest
from case_city import GRID, LAMP, City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)


MALFORMED = [
    (b"{not json", "Expecting property name enclosed in double quotes", 1, 2),
    (b'{"title": "x",\n "source": }', "Expecting value", 2, 12),
    (b'{"title": "x"} trailing', "Extra data", 1, 16),
    (b"[1, 2", "Expecting ',' delimiter", 1, 6),
]


@pytest.mark.parametrize(("body", "reason", "line", "column"), MALFORMED)
def test_malformed_json_names_the_place(
    city: City, body: bytes, reason: str, line: int, column: int
) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/cases",
        content=body,
        headers={**city.auth("op"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json() == {
        "error": {
            "code": "invalid_json",
            "message": f"the body is not valid JSON: {reason} at line {line} column {column}",
            "details": {"line": line, "column": column},
        }
    }
    assert city.snapshot() == before


def test_a_body_that_is_not_utf8(city: City) -> None:
    r = city.client.post(
        "/api/v1/cases",
        content='{"title": "路灯"}'.encode("gbk"),
        headers={**city.auth("op"), "Content-Type": "application/json"},
    )
    assert r.status_code == 422
    assert r.json()["error"] == {
        "code": "invalid_json",
        "message": "the body is not valid JSON: it is not UTF-8 text",
    }


def test_field_errors_still_name_the_fields(city: City) -> None:
    body = {"source": "hotline", "title": "x", "category_code": LAMP, "area_code": GRID}
    r = city.client.post("/api/v1/cases", json=body, headers=city.auth("op"))
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "invalid_request"
    assert error["details"]["problems"] == [{"field": "description", "problem": "Field required"}]
