"""CLI: open311 — api keys for systems that submit service requests through Open311. Works
against the database in CITYOPS_DATABASE_URL, as the system."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cityops.appeals.open311.public import w3c
from cityops.cli.context import console, platform_from_env
from cityops.kernel.actor import SYSTEM

app = typer.Typer(no_args_is_help=True)
keys = typer.Typer(no_args_is_help=True)
app.add_typer(keys, name="keys", help="Create, list and revoke api keys")

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
]


@keys.command("create")
def create(
    name: Annotated[
        str, typer.Argument(help="who uses the key (lowercase letters, digits, _ . -)")
    ],
    database_url: DatabaseOption = None,
) -> None:
    """Create an api key and print it once: it is stored only as a hash."""
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        issued = platform.open311.create_key(uow, SYSTEM, name)
    console.print(
        f"[green]Open311 api key {issued.key.id}[/green] ({issued.key.name}); "
        "shown once, store it now:"
    )
    console.print(issued.api_key, soft_wrap=True, highlight=False)


@keys.command("list")
def list_keys(database_url: DatabaseOption = None) -> None:
    """List the api keys (never the keys themselves)."""
    with platform_from_env(database_url) as platform, platform.read() as session:
        found = platform.open311.list_keys(session, SYSTEM)
    table = Table("id", "name", "created", "last used", "revoked")
    for key in found:
        table.add_row(
            str(key.id),
            key.name,
            w3c(key.created_at),
            w3c(key.last_used_at),
            w3c(key.revoked_at),
        )
    console.print(table)


@keys.command("revoke")
def revoke(
    key_id: Annotated[int, typer.Argument(help="the key's id (see `keys list`)")],
    database_url: DatabaseOption = None,
) -> None:
    """Revoke an api key: requests with it are refused (403) from now on."""
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        key = platform.open311.revoke_key(uow, SYSTEM, key_id)
    console.print(
        f"[yellow]revoked[/yellow] api key {key.id} ({key.name}) at {w3c(key.revoked_at)}"
    )
