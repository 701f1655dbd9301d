"""CLI: the knowledge base for consultations (知识库): import articles from a file."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cityops.appeals.knowledge.public import read_rows
from cityops.cli.context import console, platform_from_env
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)


@app.command("import")
def import_file(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="a .yaml, .yml or .csv file")
    ],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
    ] = None,
) -> None:
    """Create or update the articles in FILE (by code); all rows or none."""
    with platform_from_env(database_url) as platform:
        rows = read_rows(file)
        with platform.uow() as uow:
            result = platform.knowledge.import_articles(uow, SYSTEM, rows)
        console.print(
            f"[green]imported[/green] {result.total} articles from {file.name}: "
            f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
        )
