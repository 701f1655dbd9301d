"""Device files without a database: the header by key or Chinese title, the rows numbered as
the spreadsheet numbers them, the refusals of a file as a whole, and cells that no spreadsheet
evaluates on the way out."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime

import pytest
from openpyxl import Workbook, load_workbook

from cityops.kernel.errors import ValidationFailed
from cityops.sensing.device_file import (
    DeviceFileError,
    DeviceFileFormat,
    csv_chunks,
    read_rows,
    xlsx_bytes,
)
from cityops.sensing.devices import DeviceRecord
from cityops.sensing.model import DeviceStatus


def test_chinese_titles_a_bom_and_blank_lines() -> None:
    text = (
        "\ufeff设备编码,设备类型,经度,纬度,名称\n"
        "A-1,air_quality,120.1,30.2,一号\n\n,,,,\n"
        "A-2,bin_fill,120.2,30.3\n"
    )
    rows = read_rows(text.encode("utf-8"), DeviceFileFormat.csv)
    assert [r.number for r in rows] == [2, 5]
    assert rows[0].cells == {
        "code": "A-1",
        "type_code": "air_quality",
        "lon": "120.1",
        "lat": "30.2",
        "name": "一号",
    }
    assert rows[1].cells["name"] == ""  # a short line: the missing cells are empty


def test_excel_numbers_and_dates_read_as_text() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["code", "type_code", "lon", "lat", "installed_on", "inactivity_seconds"])
    sheet.append(["X-1", "air_quality", 120.5, 30.25, datetime(2026, 5, 1), 7200.0])
    out = io.BytesIO()
    book.save(out)
    (row,) = read_rows(out.getvalue(), DeviceFileFormat.xlsx)
    assert row.cells["lon"] == "120.5"
    assert row.cells["installed_on"] == "2026-05-01"
    assert row.cells["inactivity_seconds"] == "7200"


@pytest.mark.parametrize(
    ("content", "code"),
    [
        (b"code,type_code,lon,lat,colour\n", "unknown_device_column"),
        (b"code,lon,lat\n", "missing_device_column"),
        (b"", "empty_device_file"),
        (b"code,type_code,lon,lat\nA,b,\xff\xfe,1\n", "unreadable_file"),
    ],
)
def test_a_file_that_cannot_be_read(content: bytes, code: str) -> None:
    with pytest.raises(DeviceFileError) as caught:
        read_rows(content, DeviceFileFormat.csv)
    assert caught.value.code == code
    assert isinstance(caught.value, ValidationFailed)  # answered 422 by the API


def test_at_most_max_rows(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("cityops.sensing.device_file.MAX_ROWS", 2)
    text = "code,type_code,lon,lat\n" + "".join(f"D-{i},t,1,1\n" for i in range(3))
    with pytest.raises(DeviceFileError) as caught:
        read_rows(text.encode(), DeviceFileFormat.csv)
    assert caught.value.code == "too_many_devices"


def test_the_format_from_the_file_name() -> None:
    assert DeviceFileFormat.of_name("Devices.XLSX") is DeviceFileFormat.xlsx
    assert DeviceFileFormat.of_name("devices.csv") is DeviceFileFormat.csv
    assert DeviceFileFormat.of_name("") is DeviceFileFormat.csv


def _device(code: str, name: str) -> DeviceRecord:
    at = datetime(2026, 11, 23, 1, tzinfo=UTC)
    return DeviceRecord(
        id=1, code=code, type_code="air_quality", name=name, lon=120.1234567891, lat=30.2,
        area_code="330191", owner_department="", om_department="", gateway_code="",
        installed_on=date(2026, 5, 1), inactivity_seconds=600, status=DeviceStatus.active,
        has_token=False, mqtt_username=code, created_at=at, updated_at=at,
    )  # fmt: skip


def test_exported_cells_are_never_formulas_and_read_back() -> None:
    devices = [_device("E-1", '=HYPERLINK("x")'), _device("E-2", "@SUM(A1)")]
    text = "".join(csv_chunks(devices, batch=1))
    assert text.startswith("\ufeffcode,type_code,lon,lat,")
    rows = read_rows(text.encode("utf-8"), DeviceFileFormat.csv)
    assert [r.cells["name"] for r in rows] == ['\'=HYPERLINK("x")', "'@SUM(A1)"]
    assert rows[0].cells["installed_on"] == "2026-05-01"
    assert rows[0].cells["created_at"] == "2026-11-23 09:00"  # Beijing time
    sheet = load_workbook(io.BytesIO(xlsx_bytes(devices))).active
    assert sheet is not None
    cell = sheet.cell(row=2, column=5)
    assert cell.value == '=HYPERLINK("x")'
    assert cell.data_type == "s"  # a string, not a formula
