"""CLI: the category taxonomy and responsibility list (权责清单): import and export."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from cityops.cli.context import console, platform_from_env
from cityops.kernel.actor import SYSTEM
from cityops.taxonomy.public import FileFormat, read_rows, render

app = typer.Typer(no_args_is_help=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
]


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a .csv or .yaml file")],
    format: Annotated[
        FileFormat | None, typer.Option("--format", help="csv or yaml (default: by extension)")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create or update categories from FILE; all rows or none (a bad row writes nothing)."""
    with platform_from_env(database_url) as platform:
        rows = read_rows(file, format)
        with Progress(
            TextColumn("[bold]importing categories"),
            BarColumn(),
            MofNCompleteColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("import", total=len(rows))
            with platform.uow() as uow:
                result = platform.taxonomy.import_categories(
                    uow, SYSTEM, rows, progress=lambda n: progress.advance(task, n)
                )
        console.print(
            f"[green]imported[/green] {result.total} categories from {file.name}: "
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )


@app.command("export")
def export_file(
    file: Annotated[Path, typer.Argument(dir_okay=False, help="where to write the list")],
    format: Annotated[
        FileFormat | None, typer.Option("--format", help="csv or yaml (default: by extension)")
    ] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Write every category (inactive ones too) to FILE as CSV or YAML."""
    with platform_from_env(database_url) as platform:
        fmt = format or FileFormat.of_path(file)
        with platform.read() as session:
            categories = platform.taxonomy.export_categories(session)
        file.write_text(render(categories, fmt), encoding="utf-8")
        console.print(f"[green]exported[/green] {len(categories)} categories to {file}")
