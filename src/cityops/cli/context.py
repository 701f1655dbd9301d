"""Shared CLI plumbing: building the platform from the environment, printing errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.markup import escape

from cityops.app import Platform, build_platform
from cityops.geo.public import load_area_levels
from cityops.infra.settings import Settings
from cityops.kernel.errors import DomainError

console = Console()
err_console = Console(stderr=True)


def settings_from_env(database_url: str | None = None) -> Settings:
    """Settings from the CITYOPS_ environment (and the given database URL); a setting refused
    (e.g. no real CITYOPS_SECRET_KEY with CITYOPS_ENV=prod, an area level configuration that
    cannot be read) exits with code 1 and says why."""
    try:
        settings = Settings() if database_url is None else Settings(database_url=database_url)
    except ValidationError as exc:
        for problem in exc.errors():
            field = ".".join(str(p) for p in problem["loc"])
            message = str(problem["msg"]).removeprefix("Value error, ")
            text = f"CITYOPS_{field.upper()}: {message}" if field else message
            err_console.print(f"[red]error[/red] (settings): {escape(text)}")
        raise typer.Exit(1) from exc
    try:  # the area levels are read at start: refuse a configuration before serving with it
        load_area_levels(settings.area_levels_file, settings.area_levels)
    except DomainError as exc:
        err_console.print(f"[red]error[/red] ({exc.code}): {escape(exc.message)}")
        raise typer.Exit(1) from exc
    return settings


@contextmanager
def platform_from_env(database_url: str | None = None) -> Iterator[Platform]:
    """The platform over CITYOPS_DATABASE_URL (or the given URL); domain errors exit with code 1."""
    platform = build_platform(settings_from_env(database_url))
    try:
        yield platform
        platform.relay.drain()
    except DomainError as exc:
        err_console.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc
    finally:
        platform.close()
