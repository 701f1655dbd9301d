"""CLI: `cityops router corrections export FILE.csv` — dispatcher corrections of the routing
model (智能分拨纠错) as labelled training data, in the columns `cityops router train` reads by
default (text, 一级标签). Works against the database in CITYOPS_DATABASE_URL, as the system."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Annotated

import typer

from cityops.cli.context import console, platform_from_env
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import to_local

app = typer.Typer(no_args_is_help=True)

TEXT_COLUMN = "text"  # the defaults of `cityops router train`
LABEL_COLUMN = "一级标签"
COLUMNS = [TEXT_COLUMN, LABEL_COLUMN, "category_code", "department_code", "case_id", "corrected_at"]


@app.command("export")
def export(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="CSV file to write (UTF-8)")],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
    ] = None,
) -> None:
    """Write every correction that names a label (the latest per case) as a training row."""
    with platform_from_env(database_url) as platform, platform.read() as session:
        rows = platform.routing.export_corrections(session, SYSTEM)
    file.parent.mkdir(parents=True, exist_ok=True)
    with file.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(COLUMNS)
        for r in rows:
            writer.writerow(
                [
                    r.text,
                    r.label,
                    r.category_code or "",
                    r.department_code,
                    r.case_id,
                    to_local(r.corrected_at).isoformat(timespec="seconds"),
                ]
            )
    console.print(
        f"[green]{len(rows)}[/green] corrections → {file} "
        f"(train with: cityops router train --data {file})"
    )
