"""The alarm API through HTTP: acknowledge, clear, assign and comment an alarm the runner raised;
rules saved as versions, switched off and on, exported and imported as YAML, and backtested
over the stored points before they are switched on."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from tests.support.role_header import acting_by_role_header

from cityops.app import Platform

from .conftest import register

ADMIN = {"X-Test-Role": "admin"}
DISPATCHER = {"X-Test-Role": "dispatcher"}
HANDLER = {"X-Test-Role": "handler"}
INSPECTOR = {"X-Test-Role": "inspector"}
LEADER = {"X-Test-Role": "leader"}  # reads every alarm; an inspector only those of their areas
RULE: dict[str, Any] = {
    "name": "PM2.5 high",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 100}},
}


@pytest.fixture
def http(sensing_platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(sensing_platform) as client:
        yield client


def _send(p: Platform, token: str, minutes_ago: float, pm25: float) -> None:
    at = p.clock.now() - timedelta(minutes=minutes_ago)
    body = json.dumps({"ts": int(at.timestamp() * 1000), "values": {"pm25": pm25}}).encode()
    p.sensing.ingestion.from_http(token, body).committed.result(timeout=10)


def _raise_alarm(http: TestClient, p: Platform) -> int:
    saved = http.put("/api/v1/alarm-rules/pm25-high", json={"body": RULE}, headers=ADMIN)
    assert saved.status_code == 200, saved.text
    token = register(p, "AQ-API").token
    _send(p, token, 10, 200)
    p.alarms.runner.process_readings()
    page = http.get("/api/v1/alarms", params={"active": True}, headers=LEADER).json()
    assert page["total"] == 1
    alarm_id: int = page["items"][0]["id"]
    return alarm_id


def test_staff_acknowledge_assign_comment_and_clear_an_alarm(
    http: TestClient, sensing_platform: Platform
) -> None:
    alarm_id = _raise_alarm(http, sensing_platform)
    url = f"/api/v1/alarms/{alarm_id}"
    assert http.post(f"{url}/ack", headers=HANDLER).status_code == 403  # handlers only read
    acked = http.post(f"{url}/ack", headers=DISPATCHER)
    assert acked.status_code == 200
    assert acked.json()["acked"] is True
    assert acked.json()["acked_by"] == "dispatcher1"
    assert acked.json()["active"] is True
    assigned = http.post(f"{url}/assign", json={"assignee": "王工"}, headers=DISPATCHER)
    assert assigned.json()["assignee"] == "王工"
    said = http.post(f"{url}/comments", json={"text": "已通知环保巡查"}, headers=DISPATCHER)
    assert said.status_code == 201
    assert said.json()["note"] == "已通知环保巡查"
    empty = http.post(f"{url}/comments", json={"text": "  "}, headers=DISPATCHER)
    assert empty.status_code == 422
    assert empty.json()["error"]["code"] == "invalid_comment"
    cleared = http.post(f"{url}/clear", json={"note": "现场确认误报"}, headers=DISPATCHER)
    assert cleared.status_code == 200
    assert cleared.json()["active"] is False
    again = http.post(f"{url}/clear", headers=DISPATCHER)
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "alarm_not_active"
    detail = http.get(url, headers=LEADER).json()
    assert [h["action"] for h in detail["history"]] == [
        "raised",
        "acknowledged",
        "assigned",
        "commented",
        "cleared",
    ]
    assert http.get("/api/v1/alarms/999999", headers=LEADER).status_code == 404


def test_a_manual_clear_reaches_the_runner_and_a_new_occurrence_raises_a_new_alarm(
    http: TestClient, sensing_platform: Platform
) -> None:
    p = sensing_platform
    alarm_id = _raise_alarm(http, p)
    assert http.post(f"/api/v1/alarms/{alarm_id}/clear", headers=DISPATCHER).status_code == 200
    p.alarms.runner.reconcile()
    token_again = register(p, "AQ-API-2").token
    _send(p, token_again, 9, 300)
    p.alarms.runner.process_readings()
    active = http.get("/api/v1/alarms", params={"active": True}, headers=LEADER).json()
    assert [a["device_code"] for a in active["items"]] == ["AQ-API-2"]


def test_rules_are_versioned_switched_exported_and_imported(http: TestClient) -> None:
    first = http.put("/api/v1/alarm-rules/pm25-high", json={"body": RULE}, headers=ADMIN)
    assert first.json()["version"] == 1
    assert (
        http.put(
            "/api/v1/alarm-rules/pm25-high", json={"body": RULE}, headers=DISPATCHER
        ).status_code
        == 403
    )
    changed = {**RULE, "when": {"threshold": {"metric": "pm25", "op": ">", "value": 200}}}
    second = http.put(
        "/api/v1/alarm-rules/pm25-high",
        json={"body": changed, "expected_version": 1},
        headers=ADMIN,
    )
    assert second.json()["version"] == 2
    stale = http.put(
        "/api/v1/alarm-rules/pm25-high", json={"body": RULE, "expected_version": 1}, headers=ADMIN
    )
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "stale_rule_version"
    bad = http.put(
        "/api/v1/alarm-rules/bad", json={"body": {**RULE, "severity": "huge"}}, headers=ADMIN
    )
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "invalid_rule"
    off = http.post("/api/v1/alarm-rules/pm25-high/disable", headers=ADMIN)
    assert off.json()["enabled"] is False
    read = http.get("/api/v1/alarm-rules/pm25-high", headers=INSPECTOR).json()
    assert [v["version"] for v in read["versions"]] == [2, 1]
    assert read["versions"][1]["body"]["when"]["threshold"]["value"] == 150
    exported = http.get("/api/v1/alarm-rules/export", headers=INSPECTOR)
    assert exported.headers["content-type"].startswith("application/yaml")
    document = yaml.safe_load(exported.text)
    assert [r["code"] for r in document["rules"]] == ["pm25-high"]
    # import: the same rule unchanged saves nothing; a new one is version 1
    document["rules"].append({**RULE, "code": "pm25-very-high", "severity": "critical"})
    imported = http.post(
        "/api/v1/alarm-rules/import", content=yaml.safe_dump(document), headers=ADMIN
    )
    assert imported.status_code == 200, imported.text
    assert [(r["code"], r["version"]) for r in imported.json()] == [("pm25-very-high", 1)]
    broken = http.post("/api/v1/alarm-rules/import", content=b"rules: [{code: x}]", headers=ADMIN)
    assert broken.status_code == 422
    assert broken.json()["error"]["code"] == "invalid_rule"


def test_a_rule_is_backtested_over_stored_points_before_it_is_switched_on(
    http: TestClient, sensing_platform: Platform
) -> None:
    p = sensing_platform
    token = register(p, "AQ-BT").token
    for minutes_ago, value in ((60, 80), (50, 170), (40, 180), (30, 90), (20, 200), (10, 60)):
        _send(p, token, minutes_ago, value)
    http.put(
        "/api/v1/alarm-rules/pm25-high", json={"body": {**RULE, "enabled": False}}, headers=ADMIN
    )
    now = p.clock.now()
    ask = {"start": (now - timedelta(hours=2)).isoformat(), "end": now.isoformat()}
    result = http.post("/api/v1/alarm-rules/pm25-high/backtest", json=ask, headers=ADMIN)
    assert result.status_code == 200, result.text
    body = result.json()
    assert (body["readings"], body["count"], body["per_device"]) == (6, 2, {"AQ-BT": 2})
    assert [a["peak"] for a in body["alarms"]] == [180, 200]
    assert body["alarms"][0]["duration_seconds"] == 20 * 60
    # switched off, the live runner raises nothing from the same readings
    p.alarms.runner.process_readings()
    assert http.get("/api/v1/alarms", headers=LEADER).json()["total"] == 0
    refused = http.post("/api/v1/alarm-rules/pm25-high/backtest", json=ask, headers=DISPATCHER)
    assert refused.status_code == 403
    backwards = {"start": ask["end"], "end": ask["start"]}
    wrong = http.post("/api/v1/alarm-rules/pm25-high/backtest", json=backwards, headers=ADMIN)
    assert wrong.status_code == 422
    assert wrong.json()["error"]["code"] == "bad_backtest_period"
