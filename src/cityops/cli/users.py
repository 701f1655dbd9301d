"""CLI: users — add and list accounts, issue API tokens. Works against the database in
CITYOPS_DATABASE_URL (a running demo's SQLite file too: WAL lets both write), as the system."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from cityops.cli.context import console, platform_from_env
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewApiToken, NewUser

app = typer.Typer(no_args_is_help=True)

DatabaseOption = Annotated[
    str | None, typer.Option("--database-url", help="overrides CITYOPS_DATABASE_URL")
]


@app.command("add")
def add(
    username: Annotated[str, typer.Argument(help="login name (lowercase letters, digits, _ . -)")],
    role: Annotated[
        list[str],
        typer.Option(
            "--role",
            "-r",
            help="a role (repeatable): operator, dispatcher, shift_leader, handler, "
            "inspector, leader, admin",
        ),
    ],
    password: Annotated[
        str,
        typer.Option(
            prompt=True, hide_input=True, confirmation_prompt=True, help="at least 8 characters"
        ),
    ],
    department: Annotated[
        str | None, typer.Option("--department", "-d", help="department code")
    ] = None,
    area: Annotated[
        list[str] | None, typer.Option("--area", "-a", help="area code in scope (repeatable)")
    ] = None,
    name: Annotated[str, typer.Option("--name", "-n", help="display name")] = "",
    phone: Annotated[str | None, typer.Option(help="phone number")] = None,
    database_url: DatabaseOption = None,
) -> None:
    """Create a user who can then sign in."""
    cmd = NewUser(
        username=username,
        password=password,
        roles=tuple(role),
        display_name=name,
        department_code=department,
        area_codes=tuple(area or ()),
        phone=phone,
    )
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        user = platform.org.create_user(uow, SYSTEM, cmd)
    roles = ", ".join(r.value for r in user.roles)
    console.print(f"[green]created user[/green] {user.username} (id {user.id}; roles: {roles})")


@app.command("list")
def list_users(database_url: DatabaseOption = None) -> None:
    """List every user with their roles, department and areas."""
    with platform_from_env(database_url) as platform, platform.read() as session:
        users = platform.org.list_users(session, SYSTEM)
    table = Table("id", "username", "name", "roles", "department", "areas", "active")
    for u in users:
        table.add_row(
            str(u.id),
            u.username,
            u.display_name,
            ", ".join(r.value for r in u.roles),
            u.department_code or "",
            ", ".join(u.area_codes),
            "yes" if u.active else "no",
        )
    console.print(table)


@app.command("token")
def token(
    username: Annotated[str, typer.Argument(help="the user the token acts as")],
    name: Annotated[str, typer.Option("--name", "-n", help="what the token is for")],
    database_url: DatabaseOption = None,
) -> None:
    """Issue an integration API token acting as USERNAME; the secret is printed once."""
    with platform_from_env(database_url) as platform, platform.uow() as uow:
        issued = platform.org.create_api_token(
            uow, SYSTEM, NewApiToken(name=name, username=username)
        )
    console.print(f"[green]API token {issued.ref.id}[/green] for {issued.ref.username}:")
    console.print(issued.token, soft_wrap=True, highlight=False)
