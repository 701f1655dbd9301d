"""Generated reports end to end: cases driven through the HTTP workflow in October and November
2026, then the November monthly report built in each format, the files opened and their figures
checked against the case table (counted here with plain SQL, not through the report's reads)."""

from __future__ import annotations

import io
import shutil
from datetime import datetime, timedelta
from typing import Any

import pytest
from case_city import LEAK, LITTER, City, build_city
from docx import Document
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select

from cityops.app import Platform
from cityops.cases.store import cases
from cityops.insight.public import ReportFormat, parse_period
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import SHANGHAI, FixedClock

MONTH = "2026-11"
LO, HI = datetime(2026, 11, 1, tzinfo=SHANGHAI), datetime(2026, 12, 1, tzinfo=SHANGHAI)
PHONE_TITLE = "路灯不亮 请回电13987654321"


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)


def _close(city: City, case: dict[str, Any], *, satisfaction: str | None) -> None:
    case = city.act("disp", city.act("op", case, "register"), "dispatch")
    handler = "h_cgj" if case["department"]["code"] == "CGJ" else "h_street"
    case = city.act(handler, case, "sign")
    case = city.act(
        handler, case, "finish", note="已处理", photos=["/media/2026/11/after-0000000001.jpg"]
    )
    case = city.act("insp", case, "verify", passed=True)
    if satisfaction:
        city.act("op", case, "evaluate", contacted=True, resolved=True, satisfaction=satisfaction)


@pytest.fixture
def month(city: City, clock: FixedClock) -> City:
    """October: 2 cases. November: 5 street litter cases closed (one evaluated unsatisfied),
    4 lamp cases closed, 1 lamp case left dispatched until it runs overdue, 1 leak supervised."""
    clock.set(datetime(2026, 10, 15, 10, 0, tzinfo=SHANGHAI))
    for _ in range(2):
        city.create(source="web")
    clock.set(datetime(2026, 11, 2, 9, 0, tzinfo=SHANGHAI))
    for i in range(5):
        _close(
            city,
            city.create(category_code=LITTER, title="垃圾"),
            satisfaction=None if i else "unsatisfied",
        )
    for i in range(4):
        _close(city, city.create(source="web"), satisfaction="satisfied" if i < 2 else None)
    late = city.create(title=PHONE_TITLE)
    city.act("disp", city.act("op", late, "register"), "dispatch")
    leak = city.act("op", city.create(category_code=LEAK, source="inspector"), "register")
    city.act("boss", leak, "supervise", note="请加快处置")
    clock.set(datetime(2026, 11, 20, 9, 0, tzinfo=SHANGHAI))  # every deadline long past
    with city.platform.uow() as uow:
        city.platform.cases.scan_sla(uow)
    clock.set(datetime(2026, 12, 1, 10, 0, tzinfo=SHANGHAI))
    return city


def _truth(city: City) -> dict[str, int]:
    c = cases.c
    window = (c.reported_at >= LO, c.reported_at < HI)
    with city.platform.read() as s:

        def count(*where: Any) -> int:
            return int(s.execute(select(func.count()).where(*window, *where)).scalar_one())

        return {
            "reported": count(),
            "closed_on_time": count(c.closed_on_time.is_(True)),
            "closed": count(c.closed_at.is_not(None)),
            "overdue": count(c.overdue.is_(True)),
            "supervised": count(c.supervised.is_(True)),
            "unsatisfied": count(c.satisfaction == "unsatisfied"),
        }


def test_the_report_model_matches_the_case_table(month: City) -> None:
    truth = _truth(month)
    assert truth == {
        "reported": 11,
        "closed_on_time": 9,
        "closed": 9,
        "overdue": 2,
        "supervised": 2,  # the leak by hand, the lamp escalated by the SLA scan (督办)
        "unsatisfied": 1,
    }
    with month.platform.read() as s:
        report = month.platform.reports.build(s, SYSTEM, parse_period(MONTH))
    reported = report.figure("reported")
    assert (reported.value, reported.previous, reported.year_before) == (11, 2, 0)
    assert reported.mom == pytest.approx((11 - 2) / 2)
    assert reported.yoy is None  # nothing a year before: no ratio
    # due to close: the 9 closed and the 2 left open past their close deadline (dispatched lamp,
    # supervised leak): 9 on time of 11 due
    assert report.figure("on_time_closure").value == pytest.approx(9 / 11)
    assert report.figure("satisfaction").value == pytest.approx(2 / 3)
    assert report.figure("overdue").value == 2
    assert {s.code: s.count for s in report.sources} == {"hotline": 6, "web": 4, "inspector": 1}
    assert [(c.code, c.name, c.count) for c in report.categories] == [("E90", "测试事件", 11)]
    by_day = dict(report.trend)
    assert by_day[datetime(2026, 11, 2).date()] == 11
    assert sum(by_day.values()) == 11
    # ranked on 按期结案率 among units with ≥ 5 due: the street office 5/5, the CGJ 4/5
    assert [u.name for u in report.department_head] == ["湖滨街道办事处", "城市管理局"]
    lists = {x.key: x for x in report.lists}
    assert (lists["overdue"].total, lists["supervised"].total, lists["unsatisfied"].total) == (
        2,
        2,
        1,
    )
    titles = [c.title for c in lists["overdue"].cases]
    assert PHONE_TITLE not in titles
    assert any("139****4321" in t for t in titles), titles


def test_each_format_opens_and_shows_the_figures(month: City, tmp_path: Any) -> None:
    service = month.platform.reports
    with month.platform.read() as s:
        report = service.build(s, SYSTEM, parse_period(MONTH))
    wb = load_workbook(io.BytesIO(service.render(report, ReportFormat.xlsx)))
    assert wb.sheetnames[0] == "概况"
    assert "附表-承办单位" in wb.sheetnames
    summary = wb["概况"]
    rows = {r[0]: r for r in summary.iter_rows(values_only=True) if r and r[0]}
    assert rows["受理量"][1:3] == (11, 2)
    assert rows["按期结案率"][1] == pytest.approx(9 / 11)
    assert len(summary._charts) == 3  # sources pie, categories bar, daily trend line
    annex = {r[0]: r for r in wb["附表-承办单位"].iter_rows(min_row=2, values_only=True)}
    assert annex["城市管理局"][1:8] == (5, 5, 4, 5, 4, 4, 1)  # 4 lamps closed, 1 overdue
    doc = Document(io.BytesIO(service.render(report, ReportFormat.docx)))
    text = "\n".join(p.text for p in doc.paragraphs)
    assert report.title in text
    assert "{{" not in text
    cells = [c.text for t in doc.tables for row in t.rows for c in row.cells]
    assert "81.8%" in cells  # 按期结案率 9/11
    assert len(doc.inline_shapes) == 4  # the four charts
    if not shutil.which("chromium"):
        pytest.skip("no chromium to print the PDF")
    pdf = service.render(report, ReportFormat.pdf)
    assert pdf.startswith(b"%PDF")
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf))
    words = "".join(page.extract_text() for page in reader.pages)
    assert "按期结案率" in words
    assert "81.8%" in words
    assert "湖滨街道办事处" in words
    (tmp_path / "report.pdf").write_bytes(pdf)


def test_the_schedule_archives_each_report_once(month: City, clock: FixedClock) -> None:
    built = month.platform.reports.run_schedule(month.platform.uow)
    assert built == 9  # 2026-11-30, 2026-W48, 2026-11 × xlsx, docx, pdf
    assert month.platform.reports.run_schedule(month.platform.uow) == 0
    with month.platform.read() as s:
        archive = month.platform.reports.archive(s, SYSTEM)
    assert sorted({(a.period, a.kind) for a in archive}) == [
        ("2026-11", "monthly"),
        ("2026-11-30", "daily"),
        ("2026-W48", "weekly"),
    ]
    clock.advance(timedelta(days=1))
    assert month.platform.reports.run_schedule(month.platform.uow) == 3  # 12-01's daily
