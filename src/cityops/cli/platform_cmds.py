"""CLI: init, serve (and demo, registered from cli/demo.py once it exists)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from cityops.cli.context import console, err_console, platform_from_env, settings_from_env
from cityops.kernel.actor import SYSTEM


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("serve")(serve)


def init(
    database_url: Annotated[str | None, typer.Option(help="overrides CITYOPS_DATABASE_URL")] = None,
) -> None:
    """Create or upgrade the database schema (Alembic migrations); an empty knowledge base gets
    the default articles."""
    with platform_from_env(database_url) as platform:
        with platform.uow() as uow:
            loaded = platform.knowledge.load_defaults(uow, SYSTEM)
        if loaded.created:
            console.print(f"knowledge base: {loaded.created} default articles loaded")
        console.print(f"[green]database ready[/green]: {platform.settings.database_url}")


def serve(
    host: Annotated[str | None, typer.Option(help="bind address")] = None,
    port: Annotated[int | None, typer.Option(help="port (default 8000 or CITYOPS_PORT)")] = None,
    workers: Annotated[int, typer.Option(help="worker processes")] = 1,
) -> None:
    """Serve the platform (API, console, docs at /docs). Says so first when it runs in a
    development mode (CITYOPS_ENV dev or demo); refuses any other mode (test, prod) without a
    strong CITYOPS_SECRET_KEY. X-Forwarded-For names the client only when the connection comes
    from one of CITYOPS_TRUSTED_PROXIES (default: nobody)."""
    import uvicorn

    settings = settings_from_env()
    problem = settings.serving_problem()
    if problem:
        err_console.print(f"[red]error[/red] (settings): {escape(problem)}")
        raise typer.Exit(1)
    warning = settings.development_warning()
    if warning:
        err_console.print(f"[bold yellow]warning[/bold yellow]: {escape(warning)}")
    url = f"http://{host or settings.host}:{port or settings.port}"
    console.print(f"[green]cityops[/green] serving at {url}  (API docs: {url}/docs, Ctrl+C stops)")
    proxies = [str(network) for network in settings.trusted_proxies]
    uvicorn.run(
        "cityops.web.server:app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        workers=workers,
        log_level="warning",
        # uvicorn's default trusts X-Forwarded-For from 127.0.0.1 (FORWARDED_ALLOW_IPS); here
        # only the configured proxies are trusted, and nobody when none is configured
        proxy_headers=bool(proxies),
        forwarded_allow_ips=proxies,
        # open event streams (GET /api/v1/events) never finish by themselves: a stop waits
        # this long for them, then closes them; the browsers reconnect to another server
        timeout_graceful_shutdown=5,
    )
