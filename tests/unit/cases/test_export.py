"""Export cells: text that a spreadsheet could evaluate is neutralised, everything else is kept."""

from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from cityops.cases.export import csv_cell, xlsx_cell
from cityops.kernel.text import clean_text


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\t=1", "\r=1", "\n=1"])
def test_text_that_starts_a_formula_is_quoted_in_csv(text: str) -> None:
    assert csv_cell(text) == "'" + clean_text(text)  # a CR is written as LF (kernel/text.py)


@pytest.mark.parametrize("value", ["路灯不亮", "A-1", "", 42, -3.5, None])
def test_other_values_are_kept_in_csv(value: object) -> None:
    assert csv_cell(value) == value


def test_xlsx_cells_are_strings_or_numbers_never_formulas() -> None:
    book = Workbook(write_only=True)
    sheet = book.create_sheet("cases")
    values: list[object] = ['=HYPERLINK("http://evil.example/","x")', "+1", "路灯", 42, -3.5]
    sheet.append([xlsx_cell(sheet, v) for v in values])
    out = io.BytesIO()
    book.save(out)
    row = next(load_workbook(io.BytesIO(out.getvalue()))["cases"].iter_rows())
    assert [c.value for c in row] == values
    assert [c.data_type for c in row] == ["s", "s", "s", "n", "n"]
