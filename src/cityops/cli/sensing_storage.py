"""CLI: the time-series storage jobs run by hand — a rollup backfill and a retention pass.

    cityops sensing rollup --since 2026-12-01T00:00+08:00 [--until …]
    cityops sensing retention

The scheduled rollup job recomputes the last 2 hours each minute; data that arrived later than
that (a device's buffer sent after a long outage) is rolled up by `rollup --since`, which runs
the same statements over the given range (sensing/rollup.py)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

import typer

from cityops.cli.context import console, err_console, platform_from_env


def register(group: typer.Typer) -> None:
    """Add the storage commands to the `cityops sensing` group."""
    group.command("rollup")(rollup)
    group.command("retention")(retention)


def _ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


def rollup(
    since: Annotated[
        datetime, typer.Option(help="recompute rollups from this instant (ISO 8601 with a zone)")
    ],
    until: Annotated[
        datetime | None, typer.Option(help="up to this instant (default: now)")
    ] = None,
) -> None:
    """Recompute the 1-minute, hourly and daily rollups of a range from the raw points."""
    if since.tzinfo is None or (until is not None and until.tzinfo is None):
        err_console.print("[red]error[/red]: give the instants with a zone (…Z or +08:00)")
        raise typer.Exit(2)
    with platform_from_env() as platform:
        end = _ms(until or platform.clock.now())
        job = platform.sensing.rollup
        job.budget_seconds = float("inf")
        done = job.roll(_ms(since), end)
    console.print(f"rolled up {done.windows} hour windows, {since.isoformat()} to the end")


def retention() -> None:
    """Delete what each device type no longer keeps (drop day partitions on PostgreSQL)."""
    with platform_from_env() as platform:
        done = platform.sensing.retention.run()
    dropped = ", ".join(f"{d:%Y-%m-%d}" for d in done.partitions_dropped) or "none"
    console.print(
        f"points deleted: {done.points_deleted}, rollups deleted: {done.rollups_deleted}, "
        f"partitions dropped: {dropped}"
    )
