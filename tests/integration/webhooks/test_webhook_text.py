"""A webhook's description follows the text rule (kernel/text.py); a URL holding a control
character is refused (422), not stored."""

from __future__ import annotations

from fastapi.testclient import TestClient

ADMIN = {"X-Test-Role": "admin"}


def test_description_is_cleaned(api: TestClient) -> None:
    body = {"url": "https://example.org/in", "description": "工单\x00推送\u202e给\x1b大屏"}
    r = api.post("/api/v1/webhooks", json=body, headers=ADMIN)
    assert r.status_code == 201, r.text
    assert r.json()["description"] == "工单推送给大屏"


def test_a_url_with_a_control_character_is_refused(api: TestClient) -> None:
    r = api.post("/api/v1/webhooks", json={"url": "https://example.org/\x00in"}, headers=ADMIN)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_webhook_url"
    assert "U+0000" in r.json()["error"]["message"]
    assert api.get("/api/v1/webhooks", headers=ADMIN).json() == []
