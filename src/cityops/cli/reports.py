"""CLI: generated reports (智能报表): build one period's report as a file, optionally archived.

cityops reports build --period 2026-11 --format pdf [--out report.pdf] [--archive]
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from cityops.cli.context import console, platform_from_env
from cityops.insight.public import ReportFormat, parse_period
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)


@app.command("build")
def build(
    period: Annotated[
        str, typer.Option("--period", help="a month 2026-11, an ISO week 2026-W47 or a day")
    ],
    fmt: Annotated[ReportFormat, typer.Option("--format", help="xlsx, docx or pdf")] = (
        ReportFormat.pdf
    ),
    out: Annotated[
        Path | None, typer.Option("--out", help="the file to write (default report-PERIOD.FMT)")
    ] = None,
    archive: Annotated[
        bool, typer.Option("--archive", help="also keep it in the archive the console lists")
    ] = False,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
    ] = None,
) -> None:
    """Build the report of PERIOD over the whole city and write it to a file."""
    with platform_from_env(database_url) as platform:
        started = time.perf_counter()
        chosen = parse_period(period)
        target = out or Path(f"report-{chosen.label}.{fmt.value}")
        if archive:
            with platform.uow() as uow:
                saved = platform.reports.build_and_archive(uow.session, SYSTEM, chosen, fmt)
            with platform.read() as s:
                _, content = platform.reports.archived_file(s, SYSTEM, saved.id)
        else:
            with platform.read() as s:
                report = platform.reports.build(s, SYSTEM, chosen)
            content = platform.reports.render(report, fmt)
        target.write_bytes(content)
        console.print(
            f"[green]wrote[/green] {target} ({len(content):,} bytes, "
            f"{time.perf_counter() - started:.1f} s)"
        )
