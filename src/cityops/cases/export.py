"""Case lists as CSV or Excel (the same columns either way; phones as the reader may see them,
i.e. masked). CSV is produced line by line so large exports stream. The area columns are headed
with the names the deployment gives its levels (`AreaLevels`: 县/乡镇/行政村… where configured).

Case text comes from citizens and integrations, so no cell may turn into a formula when the file
is opened in a spreadsheet: in CSV, text starting with ``= + - @``, a tab or a line break is
prefixed with a single quote (OWASP's advice on CSV injection); in Excel such text is written as
a string cell, unchanged. Values that are not text (numbers) stay as they are.

Text is written under the intake rule (kernel/text.py, `clean_text`) whatever is stored: a
control character that reached the database before intake cleaned text (or by a path around it)
is left out of the cell rather than making openpyxl refuse the whole workbook
(IllegalCharacterError) — one such case must not stop every export that would include it."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable, Iterator
from datetime import datetime
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from cityops.cases.dtos import CaseView
from cityops.geo.public import AreaLevel, AreaLevels
from cityops.kernel.clock import to_local
from cityops.kernel.text import clean_text


def _time(value: datetime | None) -> str:
    return to_local(value).strftime("%Y-%m-%d %H:%M") if value is not None else ""


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("是" if value else "否")


COLUMNS: list[tuple[str, str, Callable[[CaseView], object]]] = [
    ("number", "案件编号", lambda c: c.number),
    ("source", "来源", lambda c: c.source.value),
    ("status", "状态", lambda c: c.status.value),
    ("title", "标题", lambda c: c.title),
    ("category_code", "类别编码", lambda c: c.category_code),
    ("category_name", "类别", lambda c: c.category_name),
    ("urgency", "紧急程度", lambda c: c.urgency),
    ("district", "区", lambda c: c.area.district.name if c.area.district else ""),
    ("street", "街道", lambda c: c.area.street.name if c.area.street else ""),
    ("community", "社区", lambda c: c.area.community.name if c.area.community else ""),
    ("grid", "网格", lambda c: c.area.grid.code if c.area.grid else ""),
    ("address", "地址", lambda c: c.address or ""),
    ("department", "承办单位", lambda c: c.department.name if c.department else ""),
    (
        "suggested_department",
        "权责单位",
        lambda c: c.suggested_department.name if c.suggested_department else "",
    ),
    ("reporter_name", "反映人", lambda c: c.reporter_name or ""),
    ("reporter_phone", "联系电话", lambda c: c.reporter_phone or ""),
    ("reported_at", "受理时间", lambda c: _time(c.reported_at)),
    ("stage", "当前阶段", lambda c: c.stage.value if c.stage else ""),
    ("stage_deadline", "阶段时限", lambda c: _time(c.stage_deadline)),
    ("sla_state", "时限状态", lambda c: c.sla_state.value if c.sla_state else ""),
    ("overdue", "超期", lambda c: _yes_no(c.overdue)),
    ("supervised", "督办", lambda c: _yes_no(c.supervised)),
    ("closed_at", "结案时间", lambda c: _time(c.closed_at)),
    ("closed_on_time", "按期结案", lambda c: _yes_no(c.closed_on_time)),
    ("satisfaction", "满意度", lambda c: c.satisfaction.value if c.satisfaction else ""),
]


_AREA_COLUMNS = {level.value for level in AreaLevel}


def header(*, chinese: bool = True, levels: AreaLevels | None = None) -> list[str]:
    """The column titles: Chinese (the area columns named as `levels` calls them), or the keys."""
    if not chinese:
        return [key for key, _, _ in COLUMNS]
    return [
        levels.name(AreaLevel(key)) if levels is not None and key in _AREA_COLUMNS else zh
        for key, zh, _ in COLUMNS
    ]


def row_of(case: CaseView) -> list[object]:
    return [get(case) for _, _, get in COLUMNS]


# What a spreadsheet may read as the start of a formula (or of a DDE call).
# A line break counts too: the text rule turns a stored CR into LF before the check.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


def csv_cell(value: object) -> object:
    """The value as a CSV cell that no spreadsheet evaluates: text cleaned (kernel/text.py);
    text that could start a formula gets a leading single quote."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def xlsx_cell(sheet: Any, value: object) -> object:
    """The value as an Excel cell: text cleaned (kernel/text.py, which leaves nothing openpyxl
    calls illegal); text that openpyxl would store as a formula (it starts with ``=``) is
    written as a plain string cell instead."""
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    if text.startswith(FORMULA_START):
        cell = WriteOnlyCell(sheet, value=text)
        cell.data_type = "s"
        return cell
    return text


def csv_chunks(
    cases: Iterable[CaseView], *, batch: int = 200, levels: AreaLevels | None = None
) -> Iterator[str]:
    """CSV text in chunks; starts with a BOM so that Excel reads the UTF-8 correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(header(levels=levels))
    for n, case in enumerate(cases, start=1):
        writer.writerow([csv_cell(value) for value in row_of(case)])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


def xlsx_bytes(cases: Iterable[CaseView], *, levels: AreaLevels | None = None) -> bytes:
    """An .xlsx workbook (one sheet "cases"), written row by row in openpyxl's write-only mode."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    sheet.append(header(levels=levels))
    try:
        for case in cases:
            sheet.append([xlsx_cell(sheet, value) for value in row_of(case)])
    except BaseException:
        # finish the sheet's temporary file now: left to the garbage collector, its writer
        # would write into a file closed before it (an error nobody can catch)
        sheet.close()
        raise
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
