"""Names typed by administrators follow the text rule (kernel/text.py): a department's name and
phone, a user's display name and an API token's name are stored without control characters."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_department_user_and_token_names_are_cleaned(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    res = api.post(
        "/api/v1/departments",
        json={
            "code": "JD-CH",
            "name": "朝晖\x00街道\u202e办事处",
            "kind": "street_office",
            "area_code": "330103003",
            "phone": "0571-\x0187654321",
        },
        headers=admin_headers,
    )
    assert res.status_code == 201, res.text
    assert (res.json()["name"], res.json()["phone"]) == ("朝晖街道办事处", "0571-87654321")
    res = api.patch(
        f"/api/v1/departments/{res.json()['id']}",
        json={"name": "朝晖街道\x07办事处（新）"},
        headers=admin_headers,
    )
    assert res.status_code == 200, res.text
    assert res.json()["name"] == "朝晖街道办事处（新）"

    res = api.post(
        "/api/v1/users",
        json={
            "username": "op9",
            "password": "correct-horse-battery",
            "roles": ["operator"],
            "display_name": "受理员\x00九\r\n",
        },
        headers=admin_headers,
    )
    assert res.status_code == 201, res.text
    assert res.json()["display_name"] == "受理员九"
    res = api.patch(
        f"/api/v1/users/{res.json()['id']}",
        json={"display_name": "\u202e受理员\x1b九"},
        headers=admin_headers,
    )
    assert res.status_code == 200, res.text
    assert res.json()["display_name"] == "受理员九"

    res = api.post(
        "/api/v1/auth/api-tokens",
        json={"name": "12345 热线\x00桥接", "username": "op9"},
        headers=admin_headers,
    )
    assert res.status_code == 201, res.text
    assert res.json()["name"] == "12345 热线桥接"


def test_a_department_code_with_a_nul_is_a_422(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    res = api.post(
        "/api/v1/users",
        json={
            "username": "hd9",
            "password": "correct-horse-battery",
            "roles": ["handler"],
            "department_code": "CG\x00J",
        },
        headers=admin_headers,
    )
    assert res.status_code == 422, res.text
    assert res.json()["error"]["code"] == "control_character"
    assert "department_code" in res.json()["error"]["message"]
