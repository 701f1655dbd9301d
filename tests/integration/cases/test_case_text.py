"""Control characters at staff intake and in the notes of actions are cleaned away (kernel/text.py),
codes holding them are refused, and the exports open whatever text is already stored."""

from __future__ import annotations

import csv
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from cityops.cases.store import cases

from .conftest import City


def _export(city: City, fmt: str, user: str = "disp") -> bytes:
    r = city.client.get("/api/v1/cases/export", params={"format": fmt}, headers=city.auth(user))
    assert r.status_code == 200, r.text
    return r.content


def _xlsx_rows(content: bytes) -> list[dict[str, object]]:
    sheet = load_workbook(io.BytesIO(content))["cases"]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def _csv_rows(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_staff_intake_cleans_nul_and_controls(city: City) -> None:
    case = city.create(
        title="井盖\x00缺失\u202e",
        description="第一行\r\n第二行\x00\x07\t制表",
        address="湖滨路\x001 号",
        reporter_name="张\x00三",
    )
    assert case["title"] == "井盖缺失"
    assert case["description"] == "第一行\n第二行\t制表"
    assert case["address"] == "湖滨路1 号"
    stored = city.get("op", case["id"], unmask="true")
    assert stored["reporter_name"] == "张三"

    (row,) = _xlsx_rows(_export(city, "xlsx"))
    assert row["标题"] == "井盖缺失"
    assert row["地址"] == "湖滨路1 号"


def test_text_of_only_control_characters_is_empty(city: City) -> None:
    r = city.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "\x00\x01\u202e",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": "E9001",
            "area_code": "330191001001001",
        },
        headers=city.auth("op"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "title_required"


@pytest.mark.parametrize("field", ["category_code", "area_code"])
def test_codes_with_control_characters_are_refused(city: City, field: str) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": "E9001",
            "area_code": "330191001001001",
            field: "E90\x0001",
        },
        headers=city.auth("op"),
    )
    assert r.status_code == 422, r.text
    assert field in r.json()["error"]["message"]
    assert "U+0000" in r.json()["error"]["message"]
    assert city.snapshot() == before


def test_action_notes_are_cleaned(city: City) -> None:
    case = city.act("op", city.create(), "register", note="已登记\x01\x02\u202e")
    case = city.act("disp", case, "supervise", note="督办\x00")
    history = city.history("op", case["id"])
    notes = [h["note"] for h in history if h["action"] in ("register", "supervise")]
    assert notes == ["已登记", "督办"]


# Stored before intake cleaned text, or written by something that bypassed it. PostgreSQL
# refuses NUL in text, so the stored controls are those it accepts.
STORED_TITLE = "旧数据\x01\x02\x0b\x0c\x1b[31m标题\u202e"


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_exports_open_with_stored_control_characters(city: City, fmt: str) -> None:
    case = city.create()
    with city.platform.uow() as uow:
        uow.session.execute(
            update(cases)
            .where(cases.c.id == case["id"])
            .values(title=STORED_TITLE, address="地址\x08\x7f\x9b", reporter_name="张\x1f三")
        )
    content = _export(city, fmt)
    (row,) = _xlsx_rows(content) if fmt == "xlsx" else _csv_rows(content)
    assert row["案件编号"] == case["number"]
    assert row["标题"] == "旧数据[31m标题"
    assert row["地址"] == "地址"
    assert row["反映人"] == "张三"
