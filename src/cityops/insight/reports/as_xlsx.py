"""The report as a workbook (openpyxl): a summary sheet with the headline, sources, categories,
trend and rankings and native Excel charts over those cells, a sheet per case list, and an annex
sheet per kind of unit (承办单位, 街道) with every unit's counts and rates."""

from __future__ import annotations

import io
from collections.abc import Sequence

from openpyxl import Workbook
from openpyxl.chart import BarChart, LineChart, PieChart, Reference
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cityops.insight.reports.model import (
    STATUS_NAMES,
    Report,
    UnitLine,
    change_text,
)
from cityops.kernel.clock import to_local

BOLD = Font(bold=True)
HEAD_FILL = PatternFill("solid", fgColor="DDEBF7")
PERCENT = "0.0%"

ANNEX_COLUMNS: tuple[tuple[str, str], ...] = (
    ("reported", "受理数"),
    ("due_to_handle", "应处置数"),
    ("handled_on_time", "按期处置数"),
    ("due_to_close", "应结案数"),
    ("closed", "结案数"),
    ("closed_on_time", "按期结案数"),
    ("overdue", "超期数"),
    ("reworked", "返工数"),
    ("supervised", "督办数"),
    ("evaluated", "评价数"),
    ("satisfied", "满意数"),
    ("unsatisfied", "不满意数"),
)
RATE_COLUMNS: tuple[tuple[str, str], ...] = (
    ("on_time_handling", "按期处置率"),
    ("on_time_closure", "按期结案率"),
    ("closure", "结案率"),
    ("rework", "返工率"),
    ("satisfaction", "满意率"),
)


def _header(ws: Worksheet, row: int, names: Sequence[str]) -> None:
    for col, name in enumerate(names, start=1):
        cell = ws.cell(row=row, column=col, value=name)
        cell.font = BOLD
        cell.fill = HEAD_FILL
        cell.alignment = Alignment(horizontal="center")


def _title(ws: Worksheet, row: int, text: str) -> int:
    ws.cell(row=row, column=1, value=text).font = Font(bold=True, size=12)
    return row + 1


def _summary(ws: Worksheet, report: Report) -> None:
    ws.cell(row=1, column=1, value=report.title).font = Font(bold=True, size=14)
    ws.cell(row=2, column=1, value=f"统计周期：{report.period.start} 至 {report.period.end}")
    row = _title(ws, 4, "一、总体情况")
    _header(ws, row, ("指标", "本期", "上期", "环比", "去年同期", "同比"))
    for f in report.headline:
        row += 1
        ws.cell(row=row, column=1, value=f.name)
        for col, value in ((2, f.value), (3, f.previous), (5, f.year_before)):
            cell = ws.cell(row=row, column=col, value=value)
            cell.number_format = PERCENT if f.is_rate else "#,##0"
        ws.cell(row=row, column=4, value=change_text(f.mom, f.is_rate))
        ws.cell(row=row, column=6, value=change_text(f.yoy, f.is_rate))
    row = _title(ws, row + 2, "二、来源分布")
    _header(ws, row, ("来源", "件数", "占比", "上期件数"))
    source_first = row + 1
    for s in report.sources:
        row += 1
        ws.cell(row=row, column=1, value=s.name)
        ws.cell(row=row, column=2, value=s.count)
        ws.cell(row=row, column=3, value=s.share).number_format = PERCENT
        ws.cell(row=row, column=4, value=s.previous)
    source_last = row
    if report.sources:
        pie = PieChart()
        pie.title = "来源分布"
        pie.add_data(
            Reference(ws, min_col=2, min_row=source_first - 1, max_row=source_last),
            titles_from_data=True,
        )
        pie.set_categories(Reference(ws, min_col=1, min_row=source_first, max_row=source_last))
        pie.height, pie.width = 7, 11
        ws.add_chart(pie, "H4")
    row = _title(ws, row + 2, "三、问题类别（大类前十）")
    _header(ws, row, ("类别", "件数", "占比"))
    cat_first = row + 1
    for c in report.categories:
        row += 1
        ws.cell(row=row, column=1, value=c.name)
        ws.cell(row=row, column=2, value=c.count)
        ws.cell(row=row, column=3, value=c.share).number_format = PERCENT
    if report.categories:
        bar = BarChart()
        bar.type = "bar"
        bar.title = "问题类别"
        bar.add_data(
            Reference(ws, min_col=2, min_row=cat_first - 1, max_row=row), titles_from_data=True
        )
        bar.set_categories(Reference(ws, min_col=1, min_row=cat_first, max_row=row))
        bar.height, bar.width = 8, 11
        bar.legend = None
        ws.add_chart(bar, "H20")
    row = _title(ws, row + 2, "四、每日受理量")
    _header(ws, row, ("日期", "受理量"))
    trend_first = row + 1
    for d, n in report.trend:
        row += 1
        ws.cell(row=row, column=1, value=d).number_format = "yyyy-mm-dd"
        ws.cell(row=row, column=2, value=n)
    if report.trend:
        line = LineChart()
        line.title = "每日受理量趋势"
        line.add_data(
            Reference(ws, min_col=2, min_row=trend_first - 1, max_row=row), titles_from_data=True
        )
        line.set_categories(Reference(ws, min_col=1, min_row=trend_first, max_row=row))
        line.height, line.width = 8, 16
        line.legend = None
        ws.add_chart(line, "H37")
    row = _title(ws, row + 2, "五、承办单位按期结案率排名")
    for label, lines in (("前列", report.department_head), ("后列", report.department_tail)):
        _header(ws, row, (label, "应结案数", "按期结案数", "按期结案率"))
        for u in lines:
            row += 1
            ws.cell(row=row, column=1, value=u.name)
            ws.cell(row=row, column=2, value=u.counts["due_to_close"])
            ws.cell(row=row, column=3, value=u.counts["closed_on_time"])
            ws.cell(row=row, column=4, value=u.on_time_closure).number_format = PERCENT
        row += 2
    ws.cell(row=row, column=1, value="热点诉求").font = BOLD
    ws.cell(row=row + 1, column=1, value=report.hot_issues_note)
    ws.column_dimensions["A"].width = 26
    for letter in "BCDEF":
        ws.column_dimensions[letter].width = 14


def _annex(ws: Worksheet, lines: Sequence[UnitLine], unit: str) -> None:
    names = (unit, *(n for _, n in ANNEX_COLUMNS), *(n for _, n in RATE_COLUMNS))
    _header(ws, 1, names)
    for r, u in enumerate(lines, start=2):
        ws.cell(row=r, column=1, value=u.name)
        for c, (key, _) in enumerate(ANNEX_COLUMNS, start=2):
            ws.cell(row=r, column=c, value=u.counts[key])
        first = 2 + len(ANNEX_COLUMNS)
        for c, (key, _) in enumerate(RATE_COLUMNS, start=first):
            ws.cell(row=r, column=c, value=getattr(u, key)).number_format = PERCENT
    ws.column_dimensions["A"].width = 24
    for c in range(2, len(names) + 1):
        ws.column_dimensions[get_column_letter(c)].width = 11
    ws.freeze_panes = "B2"


def xlsx_report(report: Report) -> bytes:
    wb = Workbook()
    summary = wb.active
    assert summary is not None
    summary.title = "概况"
    _summary(summary, report)
    for case_list in report.lists:
        ws = wb.create_sheet(case_list.name)
        ws.cell(row=1, column=1, value=f"{case_list.name}：共 {case_list.total} 件")
        _header(ws, 2, ("案件编号", "标题", "类别", "承办单位", "街道", "状态", "上报时间"))
        for r, c in enumerate(case_list.cases, start=3):
            values = (
                c.number,
                c.title,
                c.category_name,
                c.unit_name,
                c.street_name,
                STATUS_NAMES.get(c.status, c.status),
                to_local(c.reported_at).strftime("%Y-%m-%d %H:%M"),
            )
            for col, value in enumerate(values, start=1):
                ws.cell(row=r, column=col, value=value)
        ws.column_dimensions["B"].width = 40
    _annex(wb.create_sheet("附表-承办单位"), report.departments, "承办单位")
    _annex(wb.create_sheet("附表-街道"), report.streets, "街道")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
