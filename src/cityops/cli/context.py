"""Shared CLI plumbing: building the platform from the environment, printing errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import typer
from rich.console import Console

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.errors import DomainError

console = Console()
err_console = Console(stderr=True)


@contextmanager
def platform_from_env(database_url: str | None = None) -> Iterator[Platform]:
    """The platform over CITYOPS_DATABASE_URL (or the given URL); domain errors exit with code 1."""
    settings = Settings() if database_url is None else Settings(database_url=database_url)
    platform = build_platform(settings)
    try:
        yield platform
        platform.relay.drain()
    except DomainError as exc:
        err_console.print(f"[red]error[/red] ({exc.code}): {exc.message}")
        raise typer.Exit(1) from exc
    finally:
        platform.close()
