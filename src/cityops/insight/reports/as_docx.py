"""The report as a Word document, filled into an editable template (python-docx).

The template (report_template.docx, shipped here; an administrator may point the setting
`report_template` at a copy edited in Word: letterhead, styles, page setup, fixed wording) holds
placeholders written as plain text in its paragraphs: {{title}}, {{period}}, {{generated}},
{{summary}}, and one paragraph that is only {{body}}, where the sections are put: headings in
the template's "Heading 2" style, tables in its "Table Grid" style, charts as PNG pictures."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.text.paragraph import Paragraph

from cityops.insight.reports.as_xlsx import ANNEX_COLUMNS, RATE_COLUMNS
from cityops.insight.reports.charts import report_charts
from cityops.insight.reports.model import (
    PRINTED_CASES,
    STATUS_NAMES,
    Report,
    change_text,
    figure_text,
    percent,
    summary_text,
)
from cityops.kernel.clock import to_local
from cityops.kernel.errors import ValidationFailed

SHIPPED_TEMPLATE = Path(__file__).with_name("report_template.docx")
PLACEHOLDERS = ("{{title}}", "{{period}}", "{{generated}}", "{{summary}}")
BODY = "{{body}}"


def _when(at: datetime) -> str:
    return to_local(at).strftime("%Y-%m-%d %H:%M")


class _Filler:
    """Puts blocks before the {{body}} paragraph, in order."""

    def __init__(self, doc: DocumentObject, marker: Paragraph) -> None:
        self.doc, self.marker = doc, marker

    def heading(self, text: str) -> None:
        p = self.doc.add_paragraph(text, style="Heading 2")
        self.marker._p.addprevious(p._p)

    def text(self, text: str) -> None:
        p = self.doc.add_paragraph(text)
        self.marker._p.addprevious(p._p)

    def picture(self, png: bytes) -> None:
        self.doc.add_picture(io.BytesIO(png), width=Cm(16))
        last = self.doc.paragraphs[-1]
        last.alignment = WD_ALIGN_PARAGRAPH.CENTER
        self.marker._p.addprevious(last._p)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[object]], size: float = 9
    ) -> None:
        t = self.doc.add_table(rows=1, cols=len(header))
        t.style = "Table Grid"
        for cell, name in zip(t.rows[0].cells, header, strict=True):
            cell.text = name
            for run in cell.paragraphs[0].runs:
                run.bold = True
        for values in rows:
            cells = t.add_row().cells
            for cell, value in zip(cells, values, strict=True):
                cell.text = "" if value is None else str(value)
        for row in t.rows:
            for cell in row.cells:
                for run in cell.paragraphs[0].runs:
                    run.font.size = Pt(size)
        self.marker._p.addprevious(t._tbl)


def _replace(paragraph: Paragraph, values: dict[str, str]) -> None:
    text = paragraph.text
    if not any(key in text for key in values):
        return
    for key, value in values.items():
        text = text.replace(key, value)
    runs = paragraph.runs
    runs[0].text = text  # keep the first run's formatting
    for run in runs[1:]:
        run.text = ""


def docx_report(report: Report, *, template: Path | None = None, font: str | None = None) -> bytes:
    path = template or SHIPPED_TEMPLATE
    doc = Document(str(path))
    marker = next((p for p in doc.paragraphs if p.text.strip() == BODY), None)
    if marker is None:
        raise ValidationFailed(
            f"the report template {path.name} has no paragraph {BODY}", code="bad_report_template"
        )
    values = {
        "{{title}}": report.title,
        "{{period}}": f"{report.period.start} 至 {report.period.end}",
        "{{generated}}": _when(report.generated_at),
        "{{summary}}": summary_text(report),
    }
    for paragraph in doc.paragraphs:
        _replace(paragraph, values)
    for section in doc.sections:
        for paragraph in (*section.header.paragraphs, *section.footer.paragraphs):
            _replace(paragraph, values)
    charts = report_charts(report, font)
    f = _Filler(doc, marker)
    f.heading("一、总体情况")
    f.table(
        ("指标", "本期", "环比", "同比"),
        [
            (x.name, figure_text(x), change_text(x.mom, x.is_rate), change_text(x.yoy, x.is_rate))
            for x in report.headline
        ],
    )
    f.heading("二、受理趋势")
    f.picture(charts["trend"])
    f.heading("三、来源与类别")
    f.table(
        ("来源", "件数", "占比", "上期"),
        [(s.name, f"{s.count:,}", percent(s.share), s.previous) for s in report.sources],
    )
    f.picture(charts["sources"])
    f.table(
        ("问题大类", "件数", "占比"),
        [(c.name, f"{c.count:,}", percent(c.share)) for c in report.categories],
    )
    f.picture(charts["categories"])
    f.heading("四、承办单位排名（按期结案率）")
    f.picture(charts["ranking"])
    for label, lines in (("前列", report.department_head), ("后列", report.department_tail)):
        f.table(
            (label, "应结案", "按期结案", "按期结案率"),
            [
                (
                    u.name,
                    u.counts["due_to_close"],
                    u.counts["closed_on_time"],
                    percent(u.on_time_closure),
                )
                for u in lines
            ],
        )
    f.heading("五、热点诉求")
    f.text(report.hot_issues_note)
    for n, case_list in enumerate(report.lists):
        more = (
            f"，列出前 {PRINTED_CASES} 件，全部见电子表格"
            if case_list.total > PRINTED_CASES
            else ""
        )
        f.heading(f"{'六七八'[n]}、{case_list.name}（共 {case_list.total} 件{more}）")
        if not case_list.cases:
            f.text("本期无。")
            continue
        f.table(
            ("编号", "标题", "类别", "承办单位", "状态", "上报时间"),
            [
                (
                    c.number,
                    c.title,
                    c.category_name,
                    c.unit_name,
                    STATUS_NAMES.get(c.status, c.status),
                    _when(c.reported_at),
                )
                for c in case_list.cases[:PRINTED_CASES]
            ],
            size=8,
        )
    for title, units, unit in (
        ("附表一 承办单位情况", report.departments, "承办单位"),
        ("附表二 街道情况", report.streets, "街道"),
    ):
        f.heading(title)
        f.table(
            (unit, *(n for _, n in ANNEX_COLUMNS), *(n for _, n in RATE_COLUMNS)),
            [
                (
                    u.name,
                    *(u.counts[k] for k, _ in ANNEX_COLUMNS),
                    *(percent(getattr(u, k)) for k, _ in RATE_COLUMNS),
                )
                for u in units
            ],
            size=6.5,
        )
    marker._p.getparent().remove(marker._p)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def write_default_template(path: Path) -> None:
    """Writes the shipped template (kept in the repository as report_template.docx; run again
    only to restore it): A4, 宋体 body, 黑体 headings, a red title over a rule, the placeholders."""
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2.2))
    for name, east_asian, size in (("Normal", "宋体", 10.5), ("Heading 2", "黑体", 13)):
        style = doc.styles[name]
        style.font.size = Pt(size)
        rpr = style.element.get_or_add_rPr()
        rpr.get_or_add_rFonts().set(qn("w:eastAsia"), east_asian)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run("{{title}}")
    run.bold, run.font.size = True, Pt(20)
    run.font.color.rgb = RGBColor(0xB0, 0x00, 0x00)
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), "方正小标宋简体")
    sub = doc.add_paragraph("统计周期：{{period}}　生成时间：{{generated}}")
    sub.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("{{summary}}")
    doc.add_paragraph(BODY)
    section.footer.paragraphs[0].text = "城市运行管理平台　智能报表"
    doc.save(str(path))
