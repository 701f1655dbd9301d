"""A category's keywords (关键词) are a stored field of the responsibility list: seeded from the
shipped list, edited through PUT /api/v1/categories/{code} (administrators, a revision recorded),
exported and imported with the list. On SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import pytest
import yaml
from default_city import seed_default_departments
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.taxonomy.public import default_keywords
from cityops.taxonomy.transfer import load_default_taxonomy
from cityops.web.deps import optional_actor

ADMIN = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))
DISPATCHER = Actor(user_id=2, username="disp1", roles=frozenset({Role.dispatcher}))
LEAF = "A010102"  # 物业费纠纷

SignIn = Callable[[Actor | None], TestClient]


@pytest.fixture
def api(client: TestClient, platform: Platform) -> SignIn:
    seed_default_departments(platform)
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)

    def sign_in(actor: Actor | None) -> TestClient:
        client.app.dependency_overrides[optional_actor] = lambda: actor  # type: ignore[attr-defined]
        return client

    return sign_in


def _body(category: dict[str, Any], **changes: Any) -> dict[str, Any]:
    keep = ("name", "filing_condition", "urgency", "responsible_kind", "department_code")
    return {**{k: category[k] for k in keep}, "limits": category["limits"], **changes}


def test_the_default_list_is_stored_with_its_keywords(api: SignIn) -> None:
    leaf = api(None).get(f"/api/v1/categories/{LEAF}").json()
    assert leaf["keywords"] == list(default_keywords()[LEAF])
    assert "物业费" in leaf["keywords"]


def test_an_admin_edits_keywords_and_a_revision_records_them(api: SignIn) -> None:
    http = api(ADMIN)
    leaf = http.get(f"/api/v1/categories/{LEAF}").json()
    saved = http.put(
        f"/api/v1/categories/{LEAF}",
        json=_body(leaf, keywords=["物业费", " 停车费 ", "停车费", "车位费"]),
    )
    assert saved.status_code == 200, saved.text
    assert saved.json()["keywords"] == ["物业费", "停车费", "车位费"]  # trimmed, once each
    assert http.get(f"/api/v1/categories/{LEAF}").json()["keywords"] == [
        "物业费",
        "停车费",
        "车位费",
    ]
    last = http.get(f"/api/v1/categories/{LEAF}/revisions").json()[-1]
    assert (last["change"], last["changed_by"]) == ("updated", "admin1")
    assert last["before"]["keywords"] == leaf["keywords"]
    assert last["after"]["keywords"] == ["物业费", "停车费", "车位费"]


def test_a_put_without_keywords_keeps_them_and_an_empty_list_clears_them(api: SignIn) -> None:
    http = api(ADMIN)
    leaf = http.get(f"/api/v1/categories/{LEAF}").json()
    kept = http.put(f"/api/v1/categories/{LEAF}", json=_body(leaf, urgency="urgent"))
    assert kept.json()["keywords"] == leaf["keywords"]
    cleared = http.put(f"/api/v1/categories/{LEAF}", json=_body(leaf, keywords=[]))
    assert cleared.json()["keywords"] == []


@pytest.mark.parametrize(
    ("keywords", "problem"),
    [
        (["物" * 21], "at most 20 characters"),
        ([f"词{i}" for i in range(30)] + ["多一个"], None),  # over 30: refused by the body
    ],
    ids=["too-long", "too-many"],
)
def test_keywords_are_checked(api: SignIn, keywords: list[str], problem: str | None) -> None:
    http = api(ADMIN)
    leaf = http.get(f"/api/v1/categories/{LEAF}").json()
    refused = http.put(f"/api/v1/categories/{LEAF}", json=_body(leaf, keywords=keywords))
    assert refused.status_code == 422, refused.text
    if problem:
        assert problem in refused.text
    assert http.get(f"/api/v1/categories/{LEAF}").json()["keywords"] == leaf["keywords"]


def test_only_an_admin_edits_keywords(api: SignIn) -> None:
    leaf = api(None).get(f"/api/v1/categories/{LEAF}").json()
    refused = api(DISPATCHER).put(f"/api/v1/categories/{LEAF}", json=_body(leaf, keywords=["x"]))
    assert refused.status_code == 403
    assert api(None).get(f"/api/v1/categories/{LEAF}").json()["keywords"] == leaf["keywords"]


def test_keywords_travel_with_the_list_in_csv_and_yaml(api: SignIn) -> None:
    http = api(ADMIN)
    leaf = http.get(f"/api/v1/categories/{LEAF}").json()
    http.put(f"/api/v1/categories/{LEAF}", json=_body(leaf, keywords=["物业费", "车位费"]))

    text = http.get("/api/v1/categories/export", params={"format": "csv"}).text
    rows = {r["code"]: r for r in csv.DictReader(io.StringIO(text.lstrip("\ufeff")))}
    assert rows[LEAF]["keywords"] == "物业费、车位费"
    exported = yaml.safe_load(http.get("/api/v1/categories/export", params={"format": "yaml"}).text)
    [item] = [c for c in exported["categories"] if c["code"] == LEAF]
    assert item["keywords"] == ["物业费", "车位费"]

    # a CSV with the column sets them (here: changed in a spreadsheet)
    rows[LEAF]["keywords"] = "物业费，公摊面积"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[LEAF]))
    writer.writeheader()
    writer.writerow(rows[LEAF])
    imported = http.post(
        "/api/v1/categories/import",
        files={"file": ("list.csv", out.getvalue().encode("utf-8"), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["updated"] == 1
    assert http.get(f"/api/v1/categories/{LEAF}").json()["keywords"] == ["物业费", "公摊面积"]

    # a file from before keywords were a field (no such column) leaves them as they are
    del rows[LEAF]["keywords"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[LEAF]))
    writer.writeheader()
    writer.writerow({**rows[LEAF], "urgency": "urgent"})
    imported = http.post(
        "/api/v1/categories/import",
        files={"file": ("old.csv", out.getvalue().encode("utf-8"), "text/csv")},
    )
    assert imported.status_code == 200, imported.text
    again = http.get(f"/api/v1/categories/{LEAF}").json()
    assert (again["urgency"], again["keywords"]) == ("urgent", ["物业费", "公摊面积"])

    # the YAML export imports back to the same list
    http.put(f"/api/v1/categories/{LEAF}", json=_body(again, keywords=["别的"]))
    yaml_text = yaml.safe_dump(exported, allow_unicode=True)
    imported = http.post(
        "/api/v1/categories/import",
        files={"file": ("list.yaml", yaml_text.encode("utf-8"), "application/yaml")},
    )
    assert imported.status_code == 200, imported.text
    assert http.get(f"/api/v1/categories/{LEAF}").json()["keywords"] == ["物业费", "车位费"]
