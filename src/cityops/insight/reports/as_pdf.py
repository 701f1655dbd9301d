"""The report as PDF: the HTML of report.html (Jinja2) with the charts as PNG images, printed by
headless Chromium (`chromium --headless --print-to-pdf`). Chromium lays out Chinese text with the
system's fonts through fontconfig and embeds the glyphs it uses, so the file reads the same on a
machine without CJK fonts. Debian's chromium and fonts-noto-cjk are what `make browser` installs
for the e2e tests; no Python package is needed."""

from __future__ import annotations

import base64
import subprocess
import tempfile
from datetime import datetime
from functools import lru_cache
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from cityops.insight.reports.as_xlsx import ANNEX_COLUMNS, RATE_COLUMNS
from cityops.insight.reports.charts import report_charts
from cityops.insight.reports.model import (
    MIN_RANKED,
    PRINTED_CASES,
    RANK_SIZE,
    STATUS_NAMES,
    Report,
    change_text,
    figure_text,
    percent,
    summary_text,
)
from cityops.kernel.clock import to_local
from cityops.kernel.errors import Conflict

PRINT_TIMEOUT_SECONDS = 60.0


@lru_cache(maxsize=1)
def _env() -> Environment:
    return Environment(
        loader=FileSystemLoader(Path(__file__).parent),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _when(at: datetime) -> str:
    return to_local(at).strftime("%Y-%m-%d %H:%M")


def report_html(report: Report, font: str | None = None) -> str:
    charts = {k: base64.b64encode(v).decode() for k, v in report_charts(report, font).items()}
    return (
        _env()
        .get_template("report.html")
        .render(
            r=report,
            charts=charts,
            summary=summary_text(report),
            generated=_when(report.generated_at),
            fig=figure_text,
            change=change_text,
            pct=percent,
            status=lambda s: STATUS_NAMES.get(s, s),
            when=_when,
            min_ranked=MIN_RANKED,
            rank_size=RANK_SIZE,
            printed=PRINTED_CASES,
            annex_columns=ANNEX_COLUMNS,
            rate_columns=RATE_COLUMNS,
        )
    )


def pdf_report(report: Report, *, chromium: str, font: str | None = None) -> bytes:
    html = report_html(report, font)
    with tempfile.TemporaryDirectory(prefix="cityops-report-") as tmp:
        page, out = Path(tmp) / "report.html", Path(tmp) / "report.pdf"
        page.write_text(html, encoding="utf-8")
        command = [
            chromium,
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-extensions",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--mute-audio",
            f"--user-data-dir={tmp}/profile",
            "--no-pdf-header-footer",
            f"--print-to-pdf={out}",
            page.as_uri(),
        ]
        try:
            done = subprocess.run(  # noqa: S603 - a fixed command line, our own file
                command, capture_output=True, timeout=PRINT_TIMEOUT_SECONDS, check=False
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise Conflict(
                f"the PDF could not be printed: {exc}", code="report_pdf_failed"
            ) from None
        if done.returncode != 0 or not out.is_file():
            tail = done.stderr.decode(errors="replace")[-300:]
            raise Conflict(f"the PDF could not be printed: {tail}", code="report_pdf_failed")
        return out.read_bytes()
