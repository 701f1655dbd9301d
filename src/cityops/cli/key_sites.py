"""CLI: `cityops geo key-sites` — the city map's key sites (重点场所): import a GeoJSON or CSV
file (all rows or none, each wrong row listed), count them per kind, remove a kind. Works
against the database in CITYOPS_DATABASE_URL, as the system."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from cityops.cli.context import console, err_console, platform_from_env
from cityops.geo.public import CoordSystem
from cityops.insight.public import (
    KeySitesRejected,
    key_site_kind,
    parse_key_sites_csv,
    parse_key_sites_geojson,
)
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
]


def _kind(text: str | None) -> str | None:
    if text is None:
        return None
    code = key_site_kind(text)
    if code is None:
        err_console.print(f"[red]error[/red]: {escape(text)!r} is not a kind")
        raise typer.Exit(2)
    return code


@app.command("import")
def import_sites(
    file: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, help="a .geojson/.json or .csv file")
    ],
    kind: Annotated[
        str | None, typer.Option(help="the kind of the rows that name none (school, 医院 …)")
    ] = None,
    crs: Annotated[CoordSystem, typer.Option(help="the file's coordinates")] = CoordSystem.wgs84,
    replace: Annotated[
        bool, typer.Option("--replace", help="remove the stored sites of the file's kinds first")
    ] = False,
    database_url: DatabaseOption = None,
) -> None:
    """Import the key sites of a GeoJSON FeatureCollection of Points (properties kind, name,
    address) or a CSV (kind,name,lon,lat[,address]) — all of them or none."""
    content = file.read_bytes()
    csv = file.suffix.lower() == ".csv"
    parse = parse_key_sites_csv if csv else parse_key_sites_geojson
    with platform_from_env(database_url) as platform:
        rows, errors = parse(content, _kind(kind))
        try:
            with platform.uow() as uow:
                done = platform.key_sites.import_sites(
                    uow.session, SYSTEM, rows, errors, crs=crs, replace=replace
                )
        except KeySitesRejected as exc:
            table = Table("row" if not csv else "line", "field", "error")
            for e in exc.details["errors"]:
                table.add_row(str(e["row"]), e["field"], escape(e["message"]))
            console.print(table)
            raise
    console.print(
        f"imported {done.imported} key sites ({', '.join(done.kinds)})"
        + (f", {done.replaced} replaced" if replace else "")
    )


@app.command("list")
def list_kinds(database_url: DatabaseOption = None) -> None:
    """How many key sites of each kind are stored."""
    with platform_from_env(database_url) as platform, platform.read() as session:
        counts = platform.key_sites.kind_counts(session, SYSTEM)
    table = Table("kind", "sites")
    for kind, n in counts:
        table.add_row(kind, str(n))
    console.print(table)


@app.command("delete")
def delete_kind(
    kind: Annotated[str, typer.Argument(help="the kind whose sites go")],
    database_url: DatabaseOption = None,
) -> None:
    """Remove every key site of a kind."""
    code = _kind(kind)
    assert code is not None
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        n = platform.key_sites.delete_kind(uow.session, SYSTEM, code)
    console.print(f"removed {n} key sites of kind {code}")
