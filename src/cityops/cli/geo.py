"""CLI: geo — import area boundaries, generate grid layers, look a point up. Works against the
database in CITYOPS_DATABASE_URL, as the system."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cityops.cli.context import console, platform_from_env
from cityops.cli.key_sites import app as key_sites_app
from cityops.geo.public import (
    AreaLevel,
    CoordSystem,
    GenerateGrids,
    ImportAreas,
    read_features,
)
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)
app.add_typer(key_sites_app, name="key-sites", help="the city map's key sites (重点场所)")

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
]


@contextmanager
def _progress(label: str) -> Iterator[Callable[[int, int], None]]:
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as bar:
        task = bar.add_task(label, total=None)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


@app.command("import")
def import_file(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="a GeoJSON file")],
    level: Annotated[AreaLevel, typer.Option(help="level of the areas in the file")],
    parent: Annotated[
        str | None,
        typer.Option(help="parent code or alias (or the subtree in which to find parents)"),
    ] = None,
    name_prop: Annotated[str, typer.Option(help="property holding the name")] = "name",
    code_prop: Annotated[
        str | None, typer.Option(help="property holding the source code (kept as the alias)")
    ] = None,
    crs: Annotated[CoordSystem, typer.Option(help="coordinates of the file")] = CoordSystem.wgs84,
    parent_by_prop: Annotated[
        str | None, typer.Option(help="property holding the parent's alias (e.g. 街道编码)")
    ] = None,
    code: Annotated[
        str | None, typer.Option(help="explicit code for a file holding one area (330103)")
    ] = None,
    name: Annotated[str | None, typer.Option(help="explicit name when the file has none")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Import boundaries from a GeoJSON file (导入边界); running it again updates in place."""
    with (
        platform_from_env(database_url) as platform,
        _progress(f"importing {file.name}") as update,
        platform.uow() as uow,
    ):
        cmd = ImportAreas(
            features=read_features(file),
            level=level,
            parent=parent,
            name_prop=name_prop,
            code_prop=code_prop,
            parent_by_prop=parent_by_prop,
            crs=crs,
            code=code,
            name=name,
        )
        result = platform.geo.import_areas(uow, SYSTEM, cmd, update)
    levels = platform.geo.levels
    console.print(
        f"[green]{len(result.created)} {escape(levels.label(level))} areas created, "
        f"{len(result.updated)} updated[/green] from {result.features} features"
        + (
            f"; {len(result.retired)} generated {escape(levels.label(AreaLevel.grid))} areas "
            "retired in the areas that received them"
            if result.retired
            else ""
        )
    )


@app.command("import-hangzhou")
def import_hangzhou(
    data_dir: Annotated[
        Path, typer.Argument(exists=True, file_okay=False, help="../shared/data or its subfolder")
    ],
    crs: Annotated[CoordSystem, typer.Option(help="coordinates of the files")] = CoordSystem.wgs84,
    database_url: DatabaseOption = None,
) -> None:
    """Import the whole Hangzhou 下城区 hierarchy (district, streets, communities, grids)."""
    with (
        platform_from_env(database_url) as platform,
        _progress("importing 下城区") as update,
        platform.uow() as uow,
    ):
        counts = platform.geo.import_hangzhou_xiacheng(
            uow, SYSTEM, data_dir, crs=crs, progress=update
        )
    levels = platform.geo.levels
    console.print(
        "[green]imported[/green] "
        + ", ".join(f"{n} {escape(levels.label(AreaLevel(k)))}" for k, n in counts.items())
    )


@app.command("grid")
def grid(
    community: Annotated[
        list[str] | None,
        typer.Option(
            "--community",
            "--area",
            help="code or alias of a community, or of a street without communities (repeatable)",
        ),
    ] = None,
    all_: Annotated[
        bool,
        typer.Option(
            "--all",
            help="every community, and every street without communities, that has nothing "
            "below it (no grids, real or generated)",
        ),
    ] = False,
    rows: Annotated[int, typer.Option(min=1, max=50, help="rows of cells")] = 3,
    cols: Annotated[int, typer.Option(min=1, max=50, help="columns of cells")] = 3,
    database_url: DatabaseOption = None,
) -> None:
    """Generate a grid layer (生成网格): rows x cols cells clipped to each community (or street
    without communities). Importing real areas into it later retires its generated grids."""
    if bool(community) == all_:
        raise typer.BadParameter("give --community CODE (repeatable) or --all, not both")
    cmd = GenerateGrids(area_codes=None if all_ else tuple(community or ()), rows=rows, cols=cols)
    with (
        platform_from_env(database_url) as platform,
        _progress("cutting grids") as update,
        platform.uow() as uow,
    ):
        result = platform.geo.generate_grids(uow, SYSTEM, cmd, update)
    levels = platform.geo.levels
    per_level = Counter(result.levels)
    where = " and ".join(
        f"{n} {escape(levels.label(level))}"
        for level, n in sorted(per_level.items(), key=lambda p: p[0].rank)
    )
    console.print(
        f"[green]{result.cells} {escape(levels.label(AreaLevel.grid))} areas[/green] in "
        f"{where or '0 areas'}"
        + (f"; {len(result.skipped)} already had grids" if result.skipped else "")
    )


@app.command("locate")
def locate(
    lon: Annotated[float, typer.Argument(help="longitude")],
    lat: Annotated[float, typer.Argument(help="latitude")],
    crs: Annotated[CoordSystem, typer.Option(help="coordinates given")] = CoordSystem.wgs84,
    database_url: DatabaseOption = None,
) -> None:
    """Show the chain of areas holding a point."""
    with platform_from_env(database_url) as platform, platform.read() as session:
        chain = platform.geo.locate(session, lon, lat, crs)
        levels = platform.geo.levels
    table = Table("level", "code", "name", "alias")
    for area in chain.areas:
        table.add_row(levels.label(area.level), area.code, area.name, area.alias or "")
    console.print(table)


@app.command("levels")
def show_levels(database_url: DatabaseOption = None) -> None:
    """The area levels of this deployment: their names (zh-CN, English) and whether each is in
    use (CITYOPS_AREA_LEVELS or CITYOPS_AREA_LEVELS_FILE)."""
    with platform_from_env(database_url) as platform:
        levels = platform.geo.levels
    table = Table("level", "zh-CN", "en", "in use")
    for entry in levels.describe():
        table.add_row(
            entry["level"],
            entry["name"]["zh-CN"],
            entry["name"]["en"],
            "yes" if entry["in_use"] else "no",
        )
    console.print(table)
