"""The router CLI on a sample of the real labelled appeals (../shared/data/tipdm2020_c)."""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cityops.appeals.routing.router import Router
from cityops.cli import app

LABELS = {"城乡建设", "劳动和社会保障", "教育文体", "商贸旅游", "环境保护", "卫生计生", "交通运输"}


def _sample(source: Path, target: Path, rows: range) -> None:
    with source.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        data = list(reader)
        fields = reader.fieldnames or []
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(data[i] for i in rows)


def _figure(output: str, name: str) -> float:
    match = re.search(rf"{name}\s*│\s*([0-9.]+)", output)
    assert match, output
    return float(match.group(1))


@pytest.fixture(scope="module")
def raw_csv(shared_data: Path) -> Path:
    return shared_data / "tipdm2020_c" / "appeals_labeled_raw_2537.csv"


def test_train_then_eval_on_unseen_messages(raw_csv: Path, tmp_path: Path) -> None:
    train, held_out, store = tmp_path / "train.csv", tmp_path / "test.csv", tmp_path / "models"
    _sample(raw_csv, train, range(0, 2400, 4))  # 600 messages
    _sample(raw_csv, held_out, range(1, 2400, 8))  # 300 others
    runner = CliRunner()
    result = runner.invoke(
        app,
        [
            "router",
            "train",
            "--data",
            str(train),
            "--text-col",
            "text",
            "--label-col",
            "一级标签",
            "--out",
            str(store),
            "--cv",
            "2",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "2-fold cross-validation" in result.output
    assert 0.6 < _figure(result.output, "macro-F1") <= 1.0
    version = (store / "latest").read_text(encoding="utf-8").strip()
    metrics = json.loads((store / version / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["cross_validation"]["folds"] == 2
    # confidence measured on the held-out folds: its calibration error and the threshold whose
    # precision there is at least 97 %, stored with the model
    measured = metrics["cross_validation"]["calibration"]
    assert 0.0 <= measured["ece"] < 0.2
    assert "expected calibration error (ECE)" in result.output
    threshold = measured["threshold"]
    assert threshold is not None
    assert measured["precision"] >= 0.97
    assert 0.0 < measured["coverage"] <= 1.0

    result = runner.invoke(
        app,
        [
            "router",
            "eval",
            "--data",
            str(held_out),
            "--text-col",
            "text",
            "--label-col",
            "一级标签",
            "--model",
            str(store),
        ],
    )
    assert result.exit_code == 0, result.output
    assert "training data" not in result.output  # held out: no warning
    assert 0.6 < _figure(result.output, "macro-F1") <= 1.0
    assert 0.6 < _figure(result.output, "accuracy") <= 1.0
    assert "confusion matrix" in result.output
    assert all(label in result.output for label in LABELS)
    # on the held-out file: ECE, the model's own threshold, and precision and coverage at it
    assert 0.0 <= _figure(result.output, r"expected calibration error \(ECE\)") < 0.2
    assert _figure(result.output, "auto-dispatch threshold") == pytest.approx(threshold, abs=1e-4)
    assert 0.8 <= _figure(result.output, "precision at threshold") <= 1.0
    assert 0.0 < _figure(result.output, "coverage at threshold") <= 1.0
    assert "chosen when it was trained" in result.output

    router = Router.load(store)
    top = router.suggest("孩子学校的老师违规有偿补课，请教育局查处", k=3)
    assert top[0].label == "教育文体"
    assert sum(s.probability for s in top) <= 1.0 + 1e-9
    assert router.explain("孩子学校的老师违规有偿补课，请教育局查处", "教育文体", n=3)


def test_cv_on_segmented_tokens(shared_data: Path) -> None:
    segmented = shared_data / "tipdm2020_c" / "appeals_labeled_segmented_7951.csv"
    result = CliRunner().invoke(
        app,
        [
            "router",
            "cv",
            "--data",
            str(segmented),
            "--tokens-col",
            "tokens",
            "--label-col",
            "一级标签",
            "--folds",
            "3",
            "--sample",
            "400",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "macro-F1 per fold" in result.output
    assert 0.5 < _figure(result.output, "macro-F1") <= 1.0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["eval", "--model", "no-such-version"], "no routing model version"),
        (["eval"], "no trained routing model"),
        (["train", "--label-col", "no_such_column"], "no column no_such_column"),
    ],
)
def test_bad_input_is_refused_clearly(
    raw_csv: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["router", *args[:1], "--data", str(raw_csv), *args[1:]])
    assert result.exit_code == 1
    assert message in result.output


def _eval(data: Path, store: Path) -> str:
    args = ["router", "eval", "--data", str(data), "--text-col", "text", "--model", str(store)]
    result = CliRunner().invoke(app, [*args, "--label-col", "一级标签"])
    assert result.exit_code == 0, result.output
    return str(result.output)


def test_eval_warns_when_it_scores_the_models_own_training_rows(
    raw_csv: Path, tmp_path: Path
) -> None:
    train, mixed, store = tmp_path / "train.csv", tmp_path / "mixed.csv", tmp_path / "models"
    _sample(raw_csv, train, range(0, 1200, 4))  # 300 messages
    _sample(raw_csv, mixed, range(0, 1200, 6))  # 200, of which every 12th row (100) trained on
    args = ["router", "train", "--data", str(train), "--text-col", "text", "--cv", "0"]
    result = CliRunner().invoke(app, [*args, "--label-col", "一级标签", "--out", str(store)])
    assert result.exit_code == 0, result.output
    version = (store / "latest").read_text(encoding="utf-8").strip()
    assert len((store / version / "training_rows.txt").read_text().split()) <= 300

    out = " ".join(_eval(train, store).split())
    assert "300 of the 300 evaluated messages (100%) were in the model's training data" in out
    out = " ".join(_eval(mixed, store).split())
    assert "100 of the 200 evaluated messages (50%) were in the model's training data" in out
    # a version stored before its rows were kept: the whole data's hash still tells
    (store / version / "training_rows.txt").unlink()
    assert "this is the data the model was trained on" in " ".join(_eval(train, store).split())
    assert "training data" not in _eval(mixed, store)
