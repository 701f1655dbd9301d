"""CLI: `cityops demo` — build the demo city with weeks of traffic."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from cityops.app import build_platform
from cityops.cli.context import console, settings_from_env
from cityops.demo.accounts import DEMO_PASSWORD
from cityops.demo.build import build_demo
from cityops.demo.routing import DemoModel, ensure_model, rows_to_train
from cityops.demo.sensing import DEVICE_PASSWORD, SensingSummary, seed_demo_sensing
from cityops.demo.sensing_history import HISTORY_MINUTES, SensingHistory, record_recent_sensing
from cityops.demo.vitals import DemoVitals
from cityops.kernel.clock import FixedClock, SystemClock


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    data: Annotated[
        Path | None,
        typer.Option(help="../shared/data: real Hangzhou areas and real citizen messages"),
    ] = None,
    weeks: Annotated[int, typer.Option(min=1, max=26, help="weeks of simulated traffic")] = 4,
    per_day: Annotated[float, typer.Option(min=1, help="new cases per working day")] = 40.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 2026,
    reset: Annotated[
        bool, typer.Option(help="delete an existing SQLite demo database first")
    ] = False,
    sensing: Annotated[
        bool, typer.Option(help="register the demo's sensing devices and alarm rules")
    ] = True,
) -> None:
    """Build a demo city: areas, the responsibility list, departments, staff and cases."""
    settings = settings_from_env()
    if settings.env == "prod":
        console.print("[red]refusing to load demo data with CITYOPS_ENV=prod[/red]")
        raise typer.Exit(1)
    if data is not None and not data.is_dir():
        console.print(f"[red]--data {data} is not a folder[/red]")
        raise typer.Exit(1)
    if reset and settings.is_sqlite:
        path = Path(settings.database_url.split("///", 1)[-1])
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    end = SystemClock().now()
    clock = FixedClock(end)
    platform = build_platform(settings, clock=clock)
    try:
        with platform.read() as s:
            if platform.org.list_departments(s):
                console.print(
                    "[yellow]this database already holds an organisation; "
                    "use --reset (SQLite) or an empty database[/yellow]"
                )
                raise typer.Exit(1)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            routing = _routing_model(platform.settings.router_model_dir, data, clock, progress)
            if routing is not None:
                platform.routing.reload()
            setup = progress.add_task("setting up", total=6)
            days = progress.add_task("simulated days", total=weeks * 7, visible=False)

            def step(msg: str) -> None:
                progress.update(setup, description=msg, advance=1)
                if "weeks" in msg:
                    progress.update(days, visible=True)

            # the cases run up to the sensing history, which then runs up to `end`
            history_start = end - timedelta(minutes=HISTORY_MINUTES) if sensing else end
            # the vital signs evaluated as the simulated time goes (their trends' history)
            vitals = DemoVitals(platform, end=end, seed=seed)
            summary = build_demo(
                platform,
                clock,
                end=history_start,
                weeks=weeks,
                cases_per_day=per_day,
                data_dir=data,
                seed=seed,
                step=step,
                on_day=lambda n: progress.update(days, completed=n),
                vitals=vitals,
            )
            progress.update(days, completed=weeks * 7)
            devices: SensingSummary | None = None
            history: SensingHistory | None = None
            if sensing:
                progress.update(setup, description="sensing devices and rules 物联感知")
                devices = seed_demo_sensing(platform, seed=seed)
                progress.update(
                    setup, description=f"sensing: the last {HISTORY_MINUTES} minutes (simulated)"
                )
                history = record_recent_sensing(
                    platform,
                    clock,
                    end=end,
                    data_dir=data,
                    seed=seed,
                    every=vitals.sensing_every,
                    on_instant=vitals.evaluate,
                )
            progress.update(setup, description="city vital signs 城市体征")
            vitals.evaluate(clock.now())
    finally:
        platform.close()

    areas = ", ".join(f"{k} {v}" for k, v in summary.areas.items())
    source = "real Hangzhou 下城区 data" if summary.real_areas else "a generated city"
    console.print(f"areas ({source}): {areas}")
    console.print(f"categories: {summary.categories}")
    t = summary.traffic
    console.print(f"cases: {t.created} created, {t.actions} workflow actions, {t.refused} refused")
    if routing is None:
        console.print("routing model (智能分拨): none (needs --data with tipdm2020_c)")
    else:
        how = f"trained on {routing.messages} messages" if routing.trained else "already there"
        console.print(
            f"routing model (智能分拨) {routing.version} ({how}): "
            f"{t.routed} appeals dispatched automatically"
        )
    if devices is not None:
        kinds = ", ".join(f"{k} {v}" for k, v in devices.devices.items())
        console.print(f"sensing devices: {kinds} (device password {DEVICE_PASSWORD})")
        console.print(f"alarm rules: {', '.join(devices.rules)}")
    if history is not None:
        console.print(
            f"sensing readings (simulated, the last {HISTORY_MINUTES} minutes): "
            f"{history.points} points from {sum(history.messages.values())} messages"
            + (f", refused {history.refused}" if history.refused else "")
        )
    console.print(
        f"city vital signs (城市体征): {len(vitals.indicators)} indicators in "
        f"{vitals.evaluations} evaluations over the demo's span ({vitals.seconds:.1f} s), "
        f"{vitals.values} values; {vitals.series_points} series points (demo data, "
        f"{vitals.series_seconds:.1f} s)"
    )
    table = Table(title=f"demo accounts (password: {DEMO_PASSWORD})")
    table.add_column("username")
    table.add_column("role")
    table.add_column("name")
    for acc in summary.org.accounts:
        roles = " + ".join(r.value for r in (acc.role, *acc.extra_roles))
        table.add_row(acc.username, roles, acc.display_name)
    console.print(table)
    console.print(
        "handlers of every department: h_<code> (e.g. h_zjj); inspectors of every street: i_<code>"
    )


def _routing_model(
    model_dir: Path, data: Path | None, clock: FixedClock, progress: Progress
) -> DemoModel | None:
    """Train the routing model on the real messages when the store holds none (Rich progress:
    segmenting each message, then fitting)."""
    rows = rows_to_train(data, model_dir)
    total = (rows or 0) + 1  # every message, then the fit
    task = progress.add_task(
        "routing model 智能分拨: segmenting", total=total, visible=rows is not None
    )

    def fitting(n: int) -> None:
        progress.update(task, description=f"routing model 智能分拨: fitting on {n} messages")

    found = ensure_model(
        data,
        model_dir,
        clock,
        on_message=lambda: progress.advance(task),
        on_fit=fitting,
    )
    progress.update(task, completed=total)
    return found
