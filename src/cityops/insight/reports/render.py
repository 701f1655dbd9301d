"""One entry for the three output formats."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

from cityops.insight.reports.model import Report

if TYPE_CHECKING:
    from cityops.insight.reports.service import ReportOptions


class ReportFormat(StrEnum):
    xlsx = "xlsx"
    docx = "docx"
    pdf = "pdf"


FORMATS = tuple(ReportFormat)
MEDIA_TYPES = {
    ReportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ReportFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ReportFormat.pdf: "application/pdf",
}


def render(report: Report, fmt: ReportFormat, options: ReportOptions) -> bytes:
    if fmt is ReportFormat.xlsx:
        from cityops.insight.reports.as_xlsx import xlsx_report

        return xlsx_report(report)
    if fmt is ReportFormat.docx:
        from cityops.insight.reports.as_docx import docx_report

        return docx_report(report, template=options.template, font=options.cjk_font)
    from cityops.insight.reports.as_pdf import pdf_report

    return pdf_report(report, chromium=options.chromium, font=options.cjk_font)
