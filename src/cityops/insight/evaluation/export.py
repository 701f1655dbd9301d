"""The evaluation as an Excel workbook (openpyxl): a sheet per subject kind with the rank, the
subject, its score and grade, and for each component its value, its 0–100 score and its weight;
a note row under the header names the period, the grade bands and the minimum volume."""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import TYPE_CHECKING

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

from cityops.insight.evaluation.model import KIND_NAMES_ZH, Better

if TYPE_CHECKING:
    from cityops.insight.evaluation.service import KindReport

GRADE_FILLS = {"A": "C6EFCE", "B": "DDEBF7", "C": "FFF2CC", "D": "FCE4D6", "E": "F8CBAD"}
NOT_RATED = "不参评"


def _value(better: Better, value: float | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if better is Better.volume else round(value, 4)


def workbook_bytes(reports: Sequence[KindReport]) -> bytes:
    book = Workbook()
    if book.active is not None:
        book.remove(book.active)
    for report in reports:
        sheet = book.create_sheet(title=KIND_NAMES_ZH[report.kind])
        header = ["排名", "编码", "名称", "得分", "等级", "考核量"]
        for comp in report.components:
            weight = report.weights[comp.key]
            header += [comp.name, f"{comp.name}得分", f"{comp.name}权重({weight:g})"]
        sheet.append(header)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        bands = "、".join(f"{g}≥{b:g}" for g, b in report.grades)
        sheet.append([f"{report.period.label}　等级：{bands}　考核量少于{report.min_volume}不参评"])
        for row in report.rows:
            scored = row.scored
            line: list[object] = [
                row.rank,
                row.code,
                row.name,
                scored.score,
                scored.grade or NOT_RATED,
                scored.volume,
            ]
            parts = {p.key: p for p in scored.components}
            for comp in report.components:
                part = parts[comp.key]
                score = None if part.score is None else round(part.score, 2)
                line += [_value(comp.better, part.value), score, part.weight]
            sheet.append(line)
            fill = GRADE_FILLS.get(scored.grade or "")
            if fill:
                sheet.cell(row=sheet.max_row, column=5).fill = PatternFill(
                    "solid", start_color=fill, end_color=fill
                )
        sheet.freeze_panes = "D3"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
