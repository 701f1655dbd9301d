"""CLI: city vital signs (城市体征): evaluate the due indicators now, import definitions."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from cityops.cli.context import console, err_console, platform_from_env
from cityops.insight.public import DefinitionError
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)


def _instant(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        raise typer.BadParameter(f"not an ISO instant: {text!r}") from None
    if value.tzinfo is None:
        raise typer.BadParameter("give the offset, e.g. 2025-06-01T08:00:00+08:00")
    return value.astimezone(UTC)


@app.command("evaluate")
def evaluate(
    at: Annotated[
        str | None, typer.Option("--at", help="evaluate as of this ISO instant (default: now)")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
    ] = None,
) -> None:
    """Evaluate every indicator whose refresh instant passed since its last evaluation."""
    when = _instant(at)
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        report = platform.vitals.evaluate_due(uow, when or platform.clock.now())
    console.print(
        f"{len(report.evaluated)} indicators, {report.values} values, "
        f"{report.transitions} transitions, {report.cases} cases, {report.alarms} alarms"
    )
    for line in report.errors:
        err_console.print(f"[yellow]{line}[/yellow]")


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)],
    database_url: Annotated[
        str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
    ] = None,
) -> None:
    """Import indicator definitions from a YAML file (merged by code; the version goes up by one
    when anything was added or changed)."""
    text = file.read_text(encoding="utf-8")
    with platform_from_env(database_url) as platform:
        try:
            with platform.uow() as uow:
                result = platform.vitals.import_definitions(uow.session, SYSTEM, text)
        except DefinitionError as exc:
            err_console.print(f"[red]{exc}[/red]")
            raise typer.Exit(1) from None
    console.print(
        f"version {result.definitions.version}: added {len(result.added)}, "
        f"changed {len(result.changed)}, unchanged {len(result.unchanged)}"
    )
