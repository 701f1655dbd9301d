"""Categories follow the text rule (kernel/text.py): a name or filing condition with control
characters is stored clean, through the API and the import, and the CSV export opens."""

from __future__ import annotations

import csv
import io

from default_city import seed_default_departments
from fastapi.testclient import TestClient
from sqlalchemy import update

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.taxonomy.store import categories
from cityops.taxonomy.transfer import load_default_taxonomy
from cityops.web.deps import optional_actor

from .test_taxonomy_api import BODY

ADMIN = Actor(user_id=1, username="admin1", roles=frozenset({Role.admin}))


def _as_admin(client: TestClient, platform: Platform) -> TestClient:
    seed_default_departments(platform)
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
    client.app.dependency_overrides[optional_actor] = lambda: ADMIN  # type: ignore[attr-defined]
    return client


def test_put_cleans_name_and_filing_condition(client: TestClient, platform: Platform) -> None:
    http = _as_admin(client, platform)
    body = {**BODY, "name": "共享单车\x00乱停放", "filing_condition": "堆积\u202e影响\x0b通行"}
    r = http.put("/api/v1/categories/E040604", json=body)
    assert r.status_code == 200, r.text
    got = http.get("/api/v1/categories/E040604").json()
    assert (got["name"], got["filing_condition"]) == ("共享单车乱停放", "堆积影响通行")


def test_import_cleans_and_export_opens_with_stored_controls(
    client: TestClient, platform: Platform
) -> None:
    http = _as_admin(client, platform)
    with platform.uow() as uow:
        platform.taxonomy.import_categories(
            uow,
            ADMIN,
            [{**BODY, "code": "E040604", "name": "共享\x01单车", "limits": BODY["limits"]}],
        )
        # and one stored by a path around intake
        uow.session.execute(
            update(categories).where(categories.c.code == "E0406").values(name="旧\x02名称\x1b")
        )
    r = http.get("/api/v1/categories/export", params={"format": "csv"})
    assert r.status_code == 200, r.text
    rows = {row["code"]: row for row in csv.DictReader(io.StringIO(r.text.lstrip("\ufeff")))}
    assert rows["E040604"]["name"] == "共享单车"
    assert rows["E0406"]["name"] == "旧名称"
