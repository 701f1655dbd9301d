"""Device lists as files: the columns of a device import and export, read from CSV or Excel and
written as CSV (line by line, so 100,000 devices stream) or Excel (openpyxl's write-only mode).

A file's first row names its columns, by key (`code`, `type_code`, …) or by the Chinese title
(设备编码, 设备类型, …), in any order; unknown columns are an error, so a misspelt title is not
silently dropped. Row numbers are the spreadsheet's: the header is row 1, the first device row 2.

Cells are written so no spreadsheet evaluates them (as cases/export.py does): in CSV, text that
starts with ``= + - @``, a tab or a line break gets a leading single quote; in Excel such text is
a plain string cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell

from cityops.kernel.clock import to_local
from cityops.kernel.errors import ValidationFailed
from cityops.kernel.text import clean_text
from cityops.sensing.devices import DeviceRecord

MAX_ROWS = 100_000  # devices in one import file

# key, Chinese title, whether an import needs it
IMPORT_COLUMNS: tuple[tuple[str, str, bool], ...] = (
    ("code", "设备编码", True),
    ("type_code", "设备类型", True),
    ("lon", "经度", True),
    ("lat", "纬度", True),
    ("crs", "坐标系", False),
    ("name", "名称", False),
    ("owner_department", "权属单位", False),
    ("om_department", "运维单位", False),
    ("gateway_code", "网关编码", False),
    ("installed_on", "安装日期", False),
    ("inactivity_seconds", "离线判定秒数", False),
)
# the export writes these (an import file may hold them too: they are read and ignored)
EXPORT_ONLY: tuple[tuple[str, str], ...] = (
    ("area_code", "所属区域"),
    ("status", "状态"),
    ("created_at", "登记时间"),
)
_TITLES = {zh: key for key, zh, _ in IMPORT_COLUMNS} | {zh: key for key, zh in EXPORT_ONLY}
_KEYS = {key for key, _, _ in IMPORT_COLUMNS} | {key for key, _ in EXPORT_ONLY}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n")


class DeviceFileFormat(StrEnum):
    csv = "csv"
    xlsx = "xlsx"

    @classmethod
    def of_name(cls, filename: str) -> DeviceFileFormat:
        return cls.xlsx if filename.lower().endswith((".xlsx", ".xlsm")) else cls.csv


@dataclass(frozen=True)
class FileRow:
    number: int  # the spreadsheet's row number (header = 1)
    cells: dict[str, str]  # column key → text as written (stripped)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str  # a column key, or "" for the whole row / file
    code: str
    message: str


class DeviceFileError(ValidationFailed):
    """The file as a whole cannot be read (not CSV / Excel, no header, unknown columns)."""


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else str(value)
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _header(cells: list[str]) -> list[str]:
    keys: list[str] = []
    for cell in cells:
        name = cell.strip().lstrip("\ufeff")
        key = name if name in _KEYS else _TITLES.get(name)
        if key is None:
            raise DeviceFileError(
                code="unknown_device_column",
                message=f"unknown column {name!r}; the columns are "
                + ", ".join(f"{k} ({zh})" for k, zh, _ in IMPORT_COLUMNS),
            )
        keys.append(key)
    missing = [k for k, _, needed in IMPORT_COLUMNS if needed and k not in keys]
    if missing:
        raise DeviceFileError(
            code="missing_device_column", message=f"missing columns: {', '.join(missing)}"
        )
    return keys


def _rows(lines: Iterable[list[object]]) -> list[FileRow]:
    it = iter(lines)
    first = next(it, None)
    if first is None:
        raise DeviceFileError("the file is empty", code="empty_device_file")
    keys = _header([_text(c) for c in first])
    out: list[FileRow] = []
    for number, line in enumerate(it, start=2):
        texts = [_text(c) for c in line]
        if not any(texts):
            continue  # a blank line
        if len(out) >= MAX_ROWS:
            raise DeviceFileError(
                code="too_many_devices", message=f"a file holds at most {MAX_ROWS} devices"
            )
        cells = {k: (texts[i] if i < len(texts) else "") for i, k in enumerate(keys)}
        out.append(FileRow(number, cells))
    return out


def read_rows(content: bytes, fmt: DeviceFileFormat) -> list[FileRow]:
    """The device rows of a CSV (UTF-8, with or without BOM) or Excel file's first sheet."""
    if fmt is DeviceFileFormat.xlsx:
        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
            raise DeviceFileError(
                "the file is not an Excel workbook", code="unreadable_workbook"
            ) from exc
        try:
            sheet = book.worksheets[0]
            return _rows(list(r) for r in sheet.iter_rows(values_only=True))
        finally:
            book.close()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise DeviceFileError("the file is not UTF-8 text", code="unreadable_file") from exc
    return _rows(list(r) for r in csv.reader(io.StringIO(text)))


# -- export ------------------------------------------------------------------------------------

EXPORT_KEYS = [k for k, _, _ in IMPORT_COLUMNS if k != "crs"] + [k for k, _ in EXPORT_ONLY]
_ZH = {k: zh for k, zh, _ in IMPORT_COLUMNS} | dict(EXPORT_ONLY)


def export_header() -> list[str]:
    """Keys, so the file can be imported again as it is (the import reads either)."""
    return list(EXPORT_KEYS)


def export_row(d: DeviceRecord) -> list[object]:
    values: dict[str, object] = {
        "code": d.code,
        "type_code": d.type_code,
        "lon": round(d.lon, 7),
        "lat": round(d.lat, 7),
        "name": d.name,
        "owner_department": d.owner_department,
        "om_department": d.om_department,
        "gateway_code": d.gateway_code,
        "installed_on": d.installed_on.isoformat() if d.installed_on else "",
        "inactivity_seconds": d.inactivity_seconds,
        "area_code": d.area_code,
        "status": d.status.value,
        "created_at": to_local(d.created_at).strftime("%Y-%m-%d %H:%M"),
    }
    return [values[k] for k in EXPORT_KEYS]


def _csv_cell(value: object) -> object:
    if not isinstance(value, str):
        return value
    text = clean_text(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def csv_chunks(devices: Iterable[DeviceRecord], *, batch: int = 500) -> Iterator[str]:
    """The CSV text in chunks of `batch` devices (a BOM first, so Excel reads it as UTF-8)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(export_header())
    yield "\ufeff" + buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    for n, device in enumerate(devices, start=1):
        writer.writerow([_csv_cell(v) for v in export_row(device)])
        if n % batch == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def xlsx_bytes(devices: Iterable[DeviceRecord]) -> bytes:
    book = Workbook(write_only=True)
    sheet: Any = book.create_sheet("devices")
    sheet.append(export_header())
    for device in devices:
        cells: list[object] = []
        for value in export_row(device):
            if isinstance(value, str):
                text = clean_text(value)
                if text.startswith(FORMULA_START):
                    cell = WriteOnlyCell(sheet, value=text)
                    cell.data_type = "s"
                    cells.append(cell)
                    continue
                value = text
            cells.append(value)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
