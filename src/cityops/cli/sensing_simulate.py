"""CLI: `cityops sensing simulate` — the demo city's devices sending telemetry at an accelerated
clock (docs/sensing/simulator.md).

    cityops sensing simulate [--speed 60] [--data ../shared/data] [--minutes N] [--url http://…]

With `--url` the messages go to the running server's `POST /api/v1/telemetry` with each device's
token (`make demo` runs it so beside `cityops serve`); without it, to the ingestion front door in
this process, and this process evaluates the alarm rules when no server does (the lease)."""

from __future__ import annotations

import signal
import threading
import time
from datetime import timedelta
from pathlib import Path
from types import FrameType
from typing import Annotated

import typer

from cityops.app import build_platform
from cityops.cli.context import console, err_console, settings_from_env
from cityops.demo.sensing_sim.clock import SimClock
from cityops.demo.sensing_sim.driver import RunStats, build_simulation, run
from cityops.demo.sensing_sim.senders import HttpSender, InProcessSender, Sender, wait_for_server


def register(group: typer.Typer) -> None:
    """Add `simulate` to the `cityops sensing` group."""
    group.command("simulate")(simulate)


def simulate(
    speed: Annotated[
        float, typer.Option(min=1, max=3600, help="simulated seconds per real second")
    ] = 60.0,
    data: Annotated[
        Path | None,
        typer.Option(help="../shared/data: replay the real Beijing stations (else generated)"),
    ] = None,
    minutes: Annotated[
        float | None, typer.Option(min=0.05, help="stop after this many real minutes")
    ] = None,
    url: Annotated[
        str | None, typer.Option(help="the running server, e.g. http://127.0.0.1:8000")
    ] = None,
    tick: Annotated[float, typer.Option(min=0.2, help="real seconds between steps")] = 1.0,
    min_period: Annotated[
        float, typer.Option(min=0, help="real seconds a device waits at least between messages")
    ] = 30.0,
    seed: Annotated[int, typer.Option(help="random seed")] = 2026,
) -> None:
    """Replay the Beijing air-quality stations and generate the other devices' telemetry, with
    injected faults and rain storms, until Ctrl-C (or --minutes)."""
    settings = settings_from_env()
    if settings.env == "prod":
        err_console.print("[red]refusing to simulate devices with CITYOPS_ENV=prod[/red]")
        raise typer.Exit(1)
    if data is not None and not data.is_dir():
        data = None  # the project works without the shared data: a generated series instead
    stop = threading.Event()

    def on_signal(_signum: int, _frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    if url is not None and not wait_for_server(url, 120.0, stop):
        if not stop.is_set():
            err_console.print(f"[red]no server answers at {url}[/red]")
        raise typer.Exit(0 if stop.is_set() else 1)
    platform = build_platform(settings)
    sender: Sender | None = None
    try:
        start = platform.clock.now()
        sim, tokens = build_simulation(
            platform,
            data_dir=data,
            sim_start=start,
            start=start,
            rate=speed,
            min_period=timedelta(seconds=min_period),
            seed=seed,
        )
        if url is not None:
            sender = HttpSender(url, tokens)
        else:
            sender = InProcessSender(platform.sensing.ingestion, tokens)
            platform.start_background()  # evaluates the rules unless a server holds the lease
        source = "the real Beijing stations" if sim.air.real else "a generated series"
        console.print(
            f"simulating {len(tokens)} devices at {speed:g}x (air quality: {source}); "
            f"storm over {sim.events.victims.storm_area} from "
            f"{sim.events.plan.storm_at} for {sim.events.storm_length}; Ctrl-C stops"
        )
        clock = SimClock(start, speed, time.monotonic)
        last_note = [0.0]

        def note(stats: RunStats) -> None:
            if stats.real_seconds - last_note[0] >= 60:
                last_note[0] = stats.real_seconds
                console.print(
                    f"{stats.real_seconds / 60:.0f} min: {stats.sim_hours:.1f} simulated h, "
                    f"{stats.messages} messages, {dict(sender.counts) if sender else {}}"
                )

        stats = run(
            sim,
            sender,
            sim_now=clock.now,
            platform_now=platform.clock.now,
            stop=stop,
            tick_seconds=tick,
            minutes=minutes,
            on_step=note,
        )
        sim.close()
        console.print(
            f"stopped: {stats.sim_hours:.1f} simulated hours in {stats.real_seconds:.0f} s, "
            f"{stats.messages} messages, {dict(sender.counts)}"
        )
    except LookupError as exc:
        err_console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        if sender is not None:
            sender.close()
        platform.close()
