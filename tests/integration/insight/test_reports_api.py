"""The report API and console page: build on demand (leaders, administrators), the archive,
downloads, refusals."""

from __future__ import annotations

import io

import pytest
from case_city import LITTER, City, build_city
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from cityops.app import Platform


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    city = build_city(platform, client)
    city.create()
    city.create(category_code=LITTER, source="web")
    return city


def test_build_list_and_download(city: City) -> None:
    c = city.client
    r = c.post(
        "/api/v1/reports", json={"period": "2026-11", "format": "xlsx"}, headers=city.auth("boss")
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["kind"], made["period"], made["format"]) == ("monthly", "2026-11", "xlsx")
    assert made["title"] == "本市城市运行月报（2026年11月）"
    listed = c.get("/api/v1/reports", headers=city.auth("disp")).json()
    assert [x["id"] for x in listed] == [made["id"]]
    f = c.get(made["file"], headers=city.auth("disp"))
    assert f.status_code == 200
    assert f.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert 'filename="report-2026-11.xlsx"' in f.headers["content-disposition"]
    assert len(f.content) == made["size"]
    rows = {
        r[0]: r
        for r in load_workbook(io.BytesIO(f.content))["概况"].iter_rows(values_only=True)
        if r
    }
    assert rows["受理量"][1] == 2


@pytest.mark.parametrize(
    ("user", "body", "status", "code"),
    [
        ("disp", {"period": "2026-11", "format": "xlsx"}, 403, "report_build_forbidden"),
        ("h_cgj", {"period": "2026-11", "format": "xlsx"}, 403, "report_build_forbidden"),
        ("boss", {"period": "2026-13", "format": "xlsx"}, 422, "bad_report_period"),
        ("boss", {"period": "2027-01", "format": "xlsx"}, 422, "report_period_future"),
        ("boss", {"period": "2026-11", "format": "odt"}, 422, "invalid_request"),
    ],
)
def test_refusals(city: City, user: str, body: dict[str, str], status: int, code: str) -> None:
    r = city.client.post("/api/v1/reports", json=body, headers=city.auth(user))
    assert r.status_code == status, r.text
    assert r.json()["error"]["code"] == code
    assert city.client.get("/api/v1/reports", headers=city.auth("boss")).json() == []


def test_handlers_cannot_read_the_archive(city: City) -> None:
    r = city.client.get("/api/v1/reports", headers=city.auth("h_cgj"))
    assert (r.status_code, r.json()["error"]["code"]) == (403, "reports_forbidden")
