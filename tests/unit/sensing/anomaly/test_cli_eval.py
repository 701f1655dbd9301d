"""`cityops sensing anomalies eval` on a small generated CSV: the printed precision, recall and
F1 are those the test works out from what it planted and what it labelled."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from sensing_series import daily_noise, hourly
from typer.testing import CliRunner

from cityops.cli.sensing_anomalies import app

PLANTED_SPIKES = {200, 250, 300, 350}
LABELLED_SPIKES = {200, 250, 400}  # 300 and 350 are unlabelled, 400 is labelled but not there
STUCK = range(500, 520)


def write_csv(path: Path) -> None:
    values = daily_noise(800, seed=21)
    for i in PLANTED_SPIKES:
        values[i] += 40
    for i in STUCK:
        values[i] = values[STUCK[0]]
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["device", "ts", "metric", "value", "label"])
        for i, v in enumerate(values):
            label = "spike" if i in LABELLED_SPIKES else "stuck" if i in STUCK else "normal"
            w.writerow(["A", hourly(i).strftime("%Y-%m-%d %H:%M:%S"), "pm25", v, label])


def row(output: str, kind: str) -> list[str]:
    line = next(x for x in output.splitlines() if re.search(rf"\b{kind}\b", x))
    return [cell.strip() for cell in line.strip("│┃ ").split("│")]


def test_eval_prints_precision_recall_and_f1_per_kind(tmp_path: Path) -> None:
    data = tmp_path / "labelled.csv"
    write_csv(data)
    result = CliRunner().invoke(app, ["eval", "--data", str(data)])
    assert result.exit_code == 0, result.output

    hits = len(PLANTED_SPIKES & LABELLED_SPIKES)
    precision, recall = hits / len(PLANTED_SPIKES), hits / len(LABELLED_SPIKES)
    f1 = 2 * precision * recall / (precision + recall)
    assert row(result.output, "spike") == [
        "spike",
        str(len(LABELLED_SPIKES)),
        str(len(PLANTED_SPIKES)),
        str(hits),
        str(hits),
        "0",
        f"{precision:.3f}",
        f"{recall:.3f}",
        f"{f1:.3f}",
    ]
    assert row(result.output, "stuck")[1:] == ["1", "1", "1", "1", "0", "1.000", "1.000", "1.000"]
    assert row(result.output, "drift")[-3:] == ["—", "—", "—"]
    assert "800 readings" in result.output
    assert "no --positions" in result.output


def test_eval_refuses_an_unknown_label(tmp_path: Path) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("device,ts,metric,value,label\nA,2025-01-06T00:00:00,pm25,1.0,glitch\n")
    result = CliRunner().invoke(app, ["eval", "--data", str(data)])
    assert result.exit_code != 0
    assert "glitch" in result.output
