"""The /api/v1/categories endpoints over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from default_city import seed_default_departments
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.taxonomy.transfer import load_default_taxonomy
from cityops.web.deps import optional_actor

ADMIN = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))
OPERATOR = Actor(user_id=2, username="op1", roles=frozenset({Role.operator}))
BODY: dict[str, Any] = {
    "name": "共享单车乱停放",
    "filing_condition": "共享单车堆积影响通行",
    "urgency": "normal",
    "responsible_kind": "department",
    "department_code": "JTJ",
    "limits": {
        "register": {"amount": 1, "unit": "working_hours"},
        "dispatch": {"amount": 1, "unit": "working_hours"},
        "handle": {"amount": 4, "unit": "working_hours"},
        "verify": {"amount": 2, "unit": "working_hours"},
        "close": {"amount": 1, "unit": "working_days"},
    },
}

SignIn = Callable[[Actor | None], TestClient]


@pytest.fixture
def api(client: TestClient, platform: Platform) -> SignIn:
    """The client acting as the given actor (None: anonymous); the default list is loaded."""
    seed_default_departments(platform)
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)

    def sign_in(actor: Actor | None) -> TestClient:
        client.app.dependency_overrides[optional_actor] = lambda: actor  # type: ignore[attr-defined]
        return client

    return sign_in


def test_anyone_may_read_the_list(api: SignIn) -> None:
    http = api(None)
    everything = http.get("/api/v1/categories").json()
    leaves = http.get("/api/v1/categories", params={"leaf_only": True}).json()
    assert len(leaves) >= 150
    assert len(everything) > len(leaves)
    assert all(c["leaf"] for c in leaves)
    events = http.get("/api/v1/categories", params={"kind": "event", "q": "塌陷"}).json()
    assert [c["code"] for c in events] == ["E0501"]
    one = http.get("/api/v1/categories/C010101").json()
    assert one["department_code"] == "GSGS"
    assert one["limits"]["handle"] == {"amount": 4.0, "unit": "calendar_hours"}
    assert (one["parent_code"], one["level"], one["leaf"]) == ("C0101", 3, True)


def test_unknown_category_is_a_404_naming_it(api: SignIn) -> None:
    response = api(None).get("/api/v1/categories/E9999")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_category"
    assert "E9999" in response.json()["error"]["message"]


def test_admin_puts_a_category_and_the_change_is_recorded(api: SignIn) -> None:
    http = api(ADMIN)
    created = http.put("/api/v1/categories/E040604", json=BODY)
    assert created.status_code == 200, created.text
    assert created.json()["parent_code"] == "E0406"
    updated = http.put("/api/v1/categories/E040604", json={**BODY, "urgency": "urgent"})
    assert updated.json()["urgency"] == "urgent"
    revisions = http.get("/api/v1/categories/E040604/revisions").json()
    assert [(r["revision"], r["change"], r["changed_by"]) for r in revisions] == [
        (1, "created", "admin1"),
        (2, "updated", "admin1"),
    ]
    assert revisions[1]["before"]["urgency"] == "normal"
    assert revisions[1]["after"]["urgency"] == "urgent"


@pytest.mark.parametrize(
    ("actor", "status"),
    [(None, 401), (OPERATOR, 403)],
)
def test_only_admins_change_the_list(api: SignIn, actor: Actor | None, status: int) -> None:
    http = api(actor)
    assert http.put("/api/v1/categories/E040604", json=BODY).status_code == status
    upload = {"file": ("x.yaml", b"categories: []", "application/yaml")}
    assert http.post("/api/v1/categories/import", files=upload).status_code == status
    assert api(None).get("/api/v1/categories/E040604").status_code == 404


@pytest.mark.parametrize(
    ("code", "changes", "message"),
    [
        ("E040604", {"department_code": None}, "department_code is required"),
        ("E990101", {}, "parent category E9901 does not exist"),
        ("E04", {"responsible_kind": "street_office"}, "department_code must be empty"),
        ("C010101", {"department_code": "NOPE2"}, "department_code NOPE2 names no department"),
        ("C010101", {"departmnet_code": "CGJ"}, "departmnet_code"),  # a misspelled field
    ],
)
def test_invalid_put_is_a_422(
    api: SignIn, code: str, changes: dict[str, Any], message: str
) -> None:
    response = api(ADMIN).put(f"/api/v1/categories/{code}", json={**BODY, **changes})
    assert response.status_code == 422
    assert message in response.json()["error"]["message"]


@pytest.mark.parametrize(("fmt", "media"), [("csv", "text/csv"), ("yaml", "application/yaml")])
def test_export_then_import_over_http(api: SignIn, fmt: str, media: str) -> None:
    assert api(None).get("/api/v1/categories/export").status_code == 401
    http = api(ADMIN)
    exported = http.get("/api/v1/categories/export", params={"format": fmt})
    assert exported.status_code == 200
    assert exported.headers["content-type"].startswith(media)
    assert "井盖" in exported.content.decode("utf-8")
    upload = {"file": (f"categories.{fmt}", exported.content, media)}
    result = http.post("/api/v1/categories/import", files=upload).json()
    assert result["updated"] == result["created"] == 0
    assert result["unchanged"] == result["total"] > 150


def test_bad_import_writes_nothing(api: SignIn) -> None:
    http = api(ADMIN)
    csv_text = (
        "code,name,filing_condition,responsible_kind,department_code,register,dispatch,handle,verify,close\n"
        "E0106,改名的乱堆物堆料,条件,street_office,,1wh,1wh,2wd,1wd,1wd\n"
        "E0199,新类别,条件,department,,1wh,1wh,2wd,1wd,1wd\n"
    )
    upload = {"file": ("fix.csv", csv_text.encode("utf-8"), "text/csv")}
    response = http.post("/api/v1/categories/import", files=upload)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid_import"
    assert "row 2 (E0199): department_code is required" in error["message"]
    assert http.get("/api/v1/categories/E0106").json()["name"] == "乱堆物堆料"
    assert http.get("/api/v1/categories/E0199").status_code == 404


def test_unreadable_upload_is_a_422(api: SignIn) -> None:
    http = api(ADMIN)
    upload = {"file": ("list.txt", b"hello", "text/plain")}
    response = http.post("/api/v1/categories/import", files=upload)
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "unknown_format"
    upload = {"file": ("list.yaml", b"categories: [unclosed", "application/yaml")}
    response = http.post("/api/v1/categories/import", files=upload)
    assert response.json()["error"]["code"] == "unreadable_file"
