"""Dispatcher corrections (智能分拨纠错): a person's dispatch that differs from the router's choice
is stored with what it teaches; one that agrees is not; `cityops router corrections export`
writes the corrections as rows `cityops router train` reads."""

from __future__ import annotations

import csv
from pathlib import Path

from typer.testing import CliRunner

from cityops.appeals.routing.dataset import read_labelled
from cityops.cli import app

from .conftest import RoutingCity

SCHOOL = "孩子所在学校的老师违规有偿补课，学校收取高额补课费，请教育局查处"
VAGUE = "你好，请问一下"


def _queued_portal_case(city: RoutingCity) -> dict[str, object]:
    receipt = city.submit(VAGUE)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    decision = city.routing(case["id"])["decision"]
    assert decision["outcome"] == "queued"
    assert decision["suggestions"][0]["label"] == "城乡建设"
    assert decision["department_code"] == "ST_HUBIN"  # 城乡建设 → the street office here
    return case


def test_dispatch_elsewhere_is_a_correction_and_agreement_is_not(city: RoutingCity) -> None:
    agreed = _queued_portal_case(city)
    city.act("disp", city.act("op", agreed, "register"), "dispatch")  # the suggested unit
    corrected = _queued_portal_case(city)
    city.act("disp", city.act("op", corrected, "register"), "dispatch", department_code="JYJ")
    city.drain()

    assert city.routing(agreed["id"])["corrections"] == []
    [correction] = city.routing(corrected["id"])["corrections"]
    assert correction["predicted_label"] == "城乡建设"
    assert correction["corrected_label"] == "教育文体"  # the one label whose unit is JYJ
    assert correction["corrected_category_code"] == "A03"
    assert correction["department_code"] == "JYJ"
    assert correction["department_name"] == "教育局"
    assert correction["corrected_by"] == "disp"

    city.drain()  # delivered once: a second pass adds nothing
    assert len(city.routing(corrected["id"])["corrections"]) == 1


def test_a_category_whose_preset_unit_differs_is_queued_and_its_dispatch_teaches(
    city: RoutingCity,
) -> None:
    case = city.create(
        "op", source="hotline", title="来电反映", description=SCHOOL, category_code="A07"
    )
    city.drain()
    decision = city.routing(case["id"])["decision"]
    assert decision["outcome"] == "queued"
    # the operator chose 交通运输 (preset: 交通运输局); the model says 校外培训 (教育局): the
    # router does not overrule the preset, it leaves the case to the dispatcher and says why
    assert decision["reason"] == "contradicts_preset"
    assert decision["department_code"] == "JYJ"
    assert decision["suggestions"][0]["category_code"] == "A0302"
    city.act("disp", city.act("op", case, "register"), "dispatch")  # to 交通运输局, the case's
    city.drain()
    [correction] = city.routing(case["id"])["corrections"]
    assert correction["predicted_label"] == "教育文体"
    assert correction["corrected_label"] == "交通运输"
    assert correction["corrected_category_code"] == "A07"
    assert correction["department_code"] == "JTJ"
    # the leaf model compares the next messages with it from now on
    with city.platform.read() as session:
        examples = city.platform.routing.leaf_index(session).examples
    assert [e.code for e in examples] == ["A07"]


def test_a_returned_automatic_dispatch_sent_on_is_recorded(city: RoutingCity) -> None:
    receipt = city.submit(SCHOOL)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "dispatched"
    case = city.act("h_jyj", case, "return", reason="属于文化市场管理")
    city.act("disp", case, "dispatch", department_code="WLJ")
    city.drain()
    [correction] = city.routing(case["id"])["corrections"]
    assert correction["predicted_label"] == "教育文体"
    assert correction["department_code"] == "WLJ"
    assert correction["corrected_label"] is None  # no label's group goes to WLJ: not exported


def test_export_writes_training_rows(city: RoutingCity, db_url: str, tmp_path: Path) -> None:
    vague = _queued_portal_case(city)
    city.act("disp", city.act("op", vague, "register"), "dispatch", department_code="JYJ")
    hotline = city.create(
        "op", source="hotline", title="来电反映", description=SCHOOL, category_code="A07"
    )
    city.drain()
    city.act("disp", city.act("op", hotline, "register"), "dispatch")
    city.drain()

    out = tmp_path / "corrections.csv"
    result = CliRunner().invoke(
        app, ["router", "corrections", "export", str(out), "--database-url", db_url]
    )
    assert result.exit_code == 0, result.output
    assert "2 corrections" in result.output
    with out.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["text"], r["一级标签"], r["category_code"]) for r in rows] == [
        (VAGUE, "教育文体", "A03"),
        (f"来电反映\n{SCHOOL}", "交通运输", "A07"),  # a hotline case's title and description
    ]
    assert {r["case_id"] for r in rows} == {str(vague["id"]), str(hotline["id"])}
    # the same reader `cityops router train --data` uses, with its default columns
    data = read_labelled(out, "text", "一级标签")
    assert data.labels == ("教育文体", "交通运输")
    assert len(data.docs) == 2
