"""CLI: sensing anomalies — score the anomaly detectors against a labelled CSV.

    cityops sensing anomalies eval --data FILE.csv [--positions FILE.csv] [--radius-m N]

The CSV has columns device, ts, metric, value, label (label empty or `normal`, or one of spike,
stuck, drift, neighbour); positions, when given, has device, lon, lat and turns on neighbour
disagreement. Scores are by event with a tolerance window (docs/sensing/anomalies.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cityops.sensing.anomaly.public import (
    DetectorSettings,
    Evaluation,
    evaluate,
    read_labelled_csv,
    read_positions,
)

app = typer.Typer(no_args_is_help=True)


@app.callback()
def anomalies() -> None:
    """Anomaly detection beyond thresholds: spikes, stuck values, drift, neighbours."""


def _ratio(value: float | None) -> str:
    return "—" if value is None else f"{value:.3f}"


def score_table(result: Evaluation) -> Table:
    table = Table(title=f"Anomaly detection on {result.readings:,} readings (by event)")
    for name in ("kind", "true", "detected", "hits", "found", "fp on other kind"):
        table.add_column(name, justify="left" if name == "kind" else "right")
    for name in ("precision", "recall", "F1"):
        table.add_column(name, justify="right")
    for s in result.scores.values():
        table.add_row(
            s.kind.value,
            str(s.true_events),
            str(s.detected_events),
            str(s.hits),
            str(s.found),
            str(s.on_other_kind),
            _ratio(s.precision),
            _ratio(s.recall),
            _ratio(s.f1),
        )
    return table


@app.command("eval")
def eval_command(
    data: Annotated[
        Path, typer.Option("--data", exists=True, dir_okay=False, help="labelled readings CSV")
    ],
    positions: Annotated[
        Path | None,
        typer.Option(exists=True, dir_okay=False, help="device positions CSV (device, lon, lat)"),
    ] = None,
    radius_m: Annotated[float, typer.Option(help="neighbour radius in metres")] = 25_000.0,
    tolerance_h: Annotated[float, typer.Option(help="event matching tolerance, hours")] = 3.0,
    utc_offset_h: Annotated[
        float, typer.Option(help="local time of the hour-of-week baseline, hours from UTC")
    ] = 0.0,
    log_offset: Annotated[
        float | None,
        typer.Option(help="compare neighbours as log(value + this) (positive metrics)"),
    ] = None,
) -> None:
    """Print precision, recall and F1 per anomaly kind."""
    try:
        labelled = read_labelled_csv(data)
        where = read_positions(positions) if positions else None
    except (KeyError, ValueError) as exc:
        raise typer.BadParameter(f"cannot read {data}: {exc}") from exc
    base = DetectorSettings()
    settings = replace(
        base,
        drift=replace(base.drift, utc_offset=timedelta(hours=utc_offset_h)),
        neighbour=replace(base.neighbour, radius_m=radius_m, log_offset=log_offset),
    )
    result = evaluate(labelled, where, settings, timedelta(hours=tolerance_h))
    console = Console(width=120)
    console.print(score_table(result))
    if where is None:
        console.print("neighbour disagreement not run: no --positions")
