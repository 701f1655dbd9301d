"""The sensing API through HTTP: devices registered by an administrator, telemetry signed by
the device's own token, clear refusals, dead letters visible to staff."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.support.role_header import acting_by_role_header

from cityops.app import Platform

from .conftest import ORIGIN

ADMIN = {"X-Test-Role": "admin"}
OPERATOR = {"X-Test-Role": "operator"}


@pytest.fixture
def http(sensing_platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(sensing_platform) as client:
        yield client


def _register(http: TestClient, code: str, **extra: object) -> str:
    body = {"code": code, "type_code": "air_quality", "lon": ORIGIN[0], "lat": ORIGIN[1], **extra}
    answer = http.post("/api/v1/sensing/devices", json=body, headers=ADMIN)
    assert answer.status_code == 201, answer.text
    token: str = answer.json()["token"]
    return token


def test_a_device_sends_with_its_token_and_staff_see_it(http: TestClient) -> None:
    token = _register(http, "AQ-HTTP-1", name="东湖 1 号站")
    sent = http.post(
        "/api/v1/telemetry",
        content=json.dumps({"values": {"pm25": 35, "pm10": 61, "nonsense": 1}}),
        headers={"X-Device-Token": token},
    )
    assert sent.status_code == 200, sent.text
    assert sent.json()["accepted"] == 2
    assert [p["reason"] for p in sent.json()["problems"]] == ["unknown_metric"]
    device = http.get("/api/v1/sensing/devices/AQ-HTTP-1", headers=OPERATOR).json()
    assert device["name"] == "东湖 1 号站"
    assert device["area_code"].startswith("330191")
    letters = http.get("/api/v1/sensing/dead-letters", headers=OPERATOR).json()
    assert letters["per_reason"] == {"unknown_metric": 1}
    assert letters["items"][0]["device_code"] == "AQ-HTTP-1"


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        (b"{oops", 400, "telemetry_malformed_json"),
        (b'{"values": 3}', 422, "telemetry_bad_shape"),
        (b'{"values": {"pm25": "a lot"}}', 422, "telemetry_not_a_number"),
        (b'{"values": {"pm25": 99999}}', 422, "telemetry_out_of_range"),
        (b'{"ts": "2020-01-01T00:00:00Z", "values": {"pm25": 1}}', 422, "telemetry_ts_too_old"),
    ],
)
def test_bad_telemetry_is_a_clear_refusal(
    http: TestClient, body: bytes, status: int, code: str
) -> None:
    token = _register(http, "AQ-BAD")
    answer = http.post("/api/v1/telemetry", content=body, headers={"X-Device-Token": token})
    assert answer.status_code == status
    assert answer.json()["error"]["code"] == code


def test_telemetry_without_the_device_token_is_refused(http: TestClient) -> None:
    _register(http, "AQ-NOTOKEN")
    for headers in ({}, {"X-Device-Token": "guess"}, ADMIN):
        answer = http.post("/api/v1/telemetry", json={"values": {"pm25": 1}}, headers=headers)
        assert answer.status_code == 401
        assert answer.json()["error"]["code"] == "telemetry_bad_credentials"


def test_a_new_token_retires_the_old_and_a_retired_device_is_refused(http: TestClient) -> None:
    old = _register(http, "AQ-ROT")
    new = http.post("/api/v1/sensing/devices/AQ-ROT/token", headers=ADMIN).json()["token"]
    body = {"values": {"pm25": 3}}
    assert (
        http.post("/api/v1/telemetry", json=body, headers={"X-Device-Token": old}).status_code
        == 401
    )
    assert (
        http.post("/api/v1/telemetry", json=body, headers={"X-Device-Token": new}).status_code
        == 200
    )
    retired = http.put(
        "/api/v1/sensing/devices/AQ-ROT/status", json={"status": "retired"}, headers=ADMIN
    )
    assert retired.json()["status"] == "retired"
    refused = http.post("/api/v1/telemetry", json=body, headers={"X-Device-Token": new})
    assert refused.status_code == 403


def test_registration_refusals(http: TestClient) -> None:
    _register(http, "AQ-DUP")
    again = http.post(
        "/api/v1/sensing/devices",
        json={"code": "AQ-DUP", "type_code": "air_quality", "lon": ORIGIN[0], "lat": ORIGIN[1]},
        headers=ADMIN,
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "device_exists"
    by_operator = http.post(
        "/api/v1/sensing/devices",
        json={"code": "AQ-OP", "type_code": "air_quality", "lon": ORIGIN[0], "lat": ORIGIN[1]},
        headers=OPERATOR,
    )
    assert by_operator.status_code == 403
    page = http.get("/api/v1/sensing/devices?type_code=air_quality", headers=OPERATOR).json()
    assert [d["code"] for d in page["items"]] == ["AQ-DUP"]
