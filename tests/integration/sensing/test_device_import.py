"""Devices in bulk through HTTP: a CSV or Excel file registers all its devices or none (with each
wrong row's row number, column and message), and the export gives the list back as CSV
(streamed) or Excel in the columns the import reads."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from tests.support.role_header import acting_by_role_header

from cityops.app import Platform
from cityops.geo.public import wgs84_to_gcj02

from .conftest import ORIGIN, register

ADMIN = {"X-Test-Role": "admin"}
OPERATOR = {"X-Test-Role": "operator"}
LON, LAT = ORIGIN


@pytest.fixture
def http(sensing_platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(sensing_platform) as client:
        yield client


def _csv(*rows: str) -> bytes:
    return ("\n".join(rows) + "\n").encode("utf-8")


def _send(
    http: TestClient, content: bytes, name: str = "devices.csv", headers: dict[str, str] = ADMIN
) -> httpx.Response:
    return http.post(
        "/api/v1/sensing/devices/import", files={"file": (name, content)}, headers=headers
    )


def _codes(http: TestClient, q: str) -> list[str]:
    page = http.get("/api/v1/sensing/devices", params={"q": q, "limit": 500}, headers=OPERATOR)
    return [d["code"] for d in page.json()["items"]]


def test_a_clean_file_registers_every_device(http: TestClient) -> None:
    glon, glat = wgs84_to_gcj02(LON, LAT)
    content = _csv(
        "\ufeff设备编码,设备类型,经度,纬度,坐标系,名称,安装日期,离线判定秒数",
        f"IMP-1,air_quality,{LON},{LAT},,一号站,2026-05-01,7200",
        f"IMP-2,bin_fill,{glon},{glat},gcj02,,,",
        f"IMP-3,air_quality,{LON},{LAT},wgs84,三号站,,",
    )
    answer = http.post(
        "/api/v1/sensing/devices/import",
        files={"file": ("devices.csv", content, "text/csv")},
        headers=ADMIN,
    )
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"rows": 3, "imported": 3, "error_count": 0, "errors": []}
    assert _codes(http, "IMP-") == ["IMP-1", "IMP-2", "IMP-3"]
    one = http.get("/api/v1/sensing/devices/IMP-1", headers=OPERATOR).json()
    assert one["name"] == "一号站"
    assert one["installed_on"] == "2026-05-01"
    assert one["inactivity_seconds"] == 7200
    assert one["has_token"] is False
    assert one["area_code"].startswith("330191")
    two = http.get("/api/v1/sensing/devices/IMP-2", headers=OPERATOR).json()
    assert abs(two["lon"] - LON) < 1e-5  # GCJ-02 stored as WGS84
    assert abs(two["lat"] - LAT) < 1e-5


def test_any_wrong_row_writes_nothing_and_lists_every_error(
    http: TestClient, sensing_platform: Platform
) -> None:
    register(sensing_platform, "IMP-OLD")
    content = _csv(
        "code,type_code,lon,lat,installed_on,inactivity_seconds",
        f"IMP-A,air_quality,{LON},{LAT},,",
        f"IMP-B,no_such_type,{LON},{LAT},,",
        "IMP-C,air_quality,0,0,,",
        f"IMP-A,air_quality,{LON},{LAT},,",
        f"IMP-OLD,air_quality,{LON},{LAT},,",
        f"IMP-D,air_quality,east,{LAT},someday,5",
        f"bad code,air_quality,{LON},{LAT},,",
    )
    answer = _send(http, content)
    assert answer.status_code == 422
    error = answer.json()["error"]
    assert error["code"] == "device_import_rejected"
    found = [(e["row"], e["column"], e["code"]) for e in error["details"]["errors"]]
    assert found == [
        (3, "type_code", "unknown_device_type"),
        (4, "lon", "outside_city"),
        (5, "code", "duplicate_device_code"),
        (6, "code", "device_exists"),
        (7, "lon", "invalid_point"),
        (7, "installed_on", "bad_date"),
        (7, "inactivity_seconds", "bad_inactivity_timeout"),
        (8, "code", "bad_device_code"),
    ]
    assert error["details"]["error_count"] == 8
    assert error["details"]["rows"] == 7
    assert _codes(http, "IMP-") == ["IMP-OLD"]  # not even the good row IMP-A


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (_csv("code,type_code,lon,lat,colour", "X,air_quality,1,1,red"), "unknown_device_column"),
        (_csv("code,lon,lat", "X,1,1"), "missing_device_column"),
        (b"", "empty_device_file"),
        ("设备编码,设备类型,经度,纬度\n".encode("gbk"), "unreadable_file"),
    ],
)
def test_a_file_that_cannot_be_read_is_refused(http: TestClient, content: bytes, code: str) -> None:
    answer = _send(http, content)
    assert answer.status_code == 422
    assert answer.json()["error"]["code"] == code


def test_an_excel_file_imports_and_a_non_workbook_is_refused(http: TestClient) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "type_code", "lon", "lat", "name"])
    sheet.append(["XLS-1", "air_quality", LON, LAT, "表格一号"])
    sheet.append(["XLS-2", "air_quality", LON, LAT, None])
    out = io.BytesIO()
    book.save(out)
    answer = _send(http, out.getvalue(), "devices.xlsx")
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 2
    assert _codes(http, "XLS-") == ["XLS-1", "XLS-2"]
    bad = _send(http, b"not a zip", "devices.xlsx")
    assert bad.json()["error"]["code"] == "unreadable_workbook"


def test_only_device_managers_import_and_staff_export(http: TestClient) -> None:
    content = _csv("code,type_code,lon,lat", f"OP-1,air_quality,{LON},{LAT}")
    refused = _send(http, content, headers=OPERATOR)
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "devices_forbidden"
    assert _codes(http, "OP-") == []
    citizen = http.get("/api/v1/sensing/devices/export", headers={"X-Test-Role": "citizen"})
    assert citizen.status_code == 403


def test_the_export_reads_back_into_the_import(
    http: TestClient, sensing_platform: Platform
) -> None:
    register(sensing_platform, "EXP-1", name="=cmd|' /C calc'!A0")
    register(sensing_platform, "EXP-2", type_code="bin_fill")
    answer = http.get(
        "/api/v1/sensing/devices/export", params={"format": "csv", "q": "EXP-"}, headers=OPERATOR
    )
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == ["EXP-1", "EXP-2"]
    assert rows[0]["name"] == "'=cmd|' /C calc'!A0"  # never a formula in a spreadsheet
    assert rows[1]["type_code"] == "bin_fill"
    assert rows[0]["status"] == "active"
    only_bins = http.get(
        "/api/v1/sensing/devices/export", params={"type_code": "bin_fill"}, headers=OPERATOR
    )
    assert [r["code"] for r in csv.DictReader(io.StringIO(only_bins.text.lstrip("\ufeff")))] == [
        "EXP-2"
    ]
    # the same file imported again: every device is there already, nothing is written
    again = _send(http, answer.content)
    details = again.json()["error"]["details"]
    assert [(e["row"], e["code"]) for e in details["errors"]] == [
        (2, "device_exists"),
        (3, "device_exists"),
    ]
    xlsx = http.get(
        "/api/v1/sensing/devices/export", params={"format": "xlsx", "q": "EXP-"}, headers=OPERATOR
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    values = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert values[0][:4] == ["code", "type_code", "lon", "lat"]
    assert [r[0] for r in values[1:]] == ["EXP-1", "EXP-2"]
    assert values[1][4] == "=cmd|' /C calc'!A0"  # a string cell, not a formula
