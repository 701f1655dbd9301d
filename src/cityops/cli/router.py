"""CLI: the smart-routing model (智能分拨): train a version, evaluate it, cross-validate a setup."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from cityops.appeals.routing.public_training import (
    TARGET_PRECISION,
    Calibration,
    ClassifierKind,
    CvResult,
    LabelledSet,
    Metrics,
    ModelStore,
    RoutingConfig,
    RoutingModel,
    StoredModel,
    calibration,
    cross_validate,
    evaluate,
    open_model,
    read_labelled,
    trained_on,
)
from cityops.cli import router_corrections
from cityops.cli.context import console, err_console
from cityops.kernel.clock import SystemClock

app = typer.Typer(no_args_is_help=True)
app.add_typer(
    router_corrections.app,
    name="corrections",
    help="Dispatcher corrections of the routing model as training data (export)",
)

DEFAULT_ROOT = Path("var/models/router")

DataOption = Annotated[
    Path, typer.Option("--data", exists=True, dir_okay=False, help="labelled CSV (UTF-8)")
]
TextOption = Annotated[
    str,
    typer.Option("--text-col", help="raw text column; join several with '+' (留言主题+留言详情)"),
]
LabelOption = Annotated[str, typer.Option("--label-col", help="label column")]
TokensOption = Annotated[
    str | None,
    typer.Option("--tokens-col", help="already segmented text (space-separated); wins over text"),
]
SampleOption = Annotated[
    int | None, typer.Option("--sample", min=2, help="use N rows spread evenly through the file")
]


def _read(
    data: Path, text_col: str, label_col: str, tokens_col: str | None, sample: int | None
) -> LabelledSet:
    try:
        with console.status(f"reading and segmenting {data.name}"):
            dataset = read_labelled(data, text_col, label_col, tokens_col, sample=sample)
    except ValueError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(1) from exc
    if len(set(dataset.labels)) < 2:
        err_console.print(f"[red]error[/red]: {data.name} has fewer than two labels")
        raise typer.Exit(1)
    return dataset


def _print_metrics(title: str, metrics: Metrics) -> None:
    console.print(f"[bold]{title}[/bold]")
    summary = Table(show_header=False)
    summary.add_row("messages", str(metrics.n))
    summary.add_row("accuracy", f"{metrics.accuracy:.4f}")
    summary.add_row("macro-F1", f"{metrics.macro_f1:.4f}")
    console.print(summary)
    per_class = Table(title="per class")
    for col in ("label", "precision", "recall", "F1", "support"):
        per_class.add_column(col, justify="left" if col == "label" else "right")
    for c in metrics.per_class:
        per_class.add_row(
            c.label, f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.support)
        )
    console.print(per_class)
    confusion = Table(title="confusion matrix (rows: true, columns: predicted)")
    confusion.add_column("true \\ predicted")
    for i, _ in enumerate(metrics.labels):
        confusion.add_column(str(i + 1), justify="right")
    for i, (label, row) in enumerate(zip(metrics.labels, metrics.confusion, strict=True)):
        cells = [
            f"[bold]{v}[/bold]" if j == i else (str(v) if v else "·") for j, v in enumerate(row)
        ]
        confusion.add_row(f"{i + 1} {label}", *cells)
    console.print(confusion)


def _print_cv(result: CvResult) -> None:
    _print_metrics(f"{result.folds}-fold cross-validation (pooled over test folds)", result.metrics)
    folds = ", ".join(f"{s:.4f}" for s in result.fold_macro_f1)
    console.print(
        f"macro-F1 per fold: {folds}; mean {result.macro_f1_mean:.4f} ± {result.macro_f1_std:.4f}"
    )
    _print_calibration(
        "confidence on the held-out folds (threshold chosen on them)", result.calibration
    )


def _print_calibration(title: str, found: Calibration) -> None:
    """ECE and the automatic-dispatch threshold with its precision and coverage."""
    console.print(f"[bold]{title}[/bold]")
    table = Table(show_header=False)
    table.add_row("expected calibration error (ECE)", f"{found.ece:.4f} ({found.bins} bins)")
    if found.threshold is None:
        table.add_row(
            "auto-dispatch threshold",
            f"none: no threshold reaches precision ≥ {found.target:.0%} here",
        )
    else:
        table.add_row(
            "auto-dispatch threshold", f"{found.threshold:.4f} (precision ≥ {found.target:.0%})"
        )
        table.add_row("precision at threshold", f"{found.precision:.4f}")
        table.add_row("coverage at threshold", f"{found.coverage:.4f}")
    table.add_row("messages", str(found.n))
    console.print(table)


def _config(classifier: ClassifierKind, c: float | None) -> RoutingConfig:
    base = RoutingConfig(classifier=classifier)
    if c is None:
        return base
    return RoutingConfig.from_dict({**base.to_dict(), "c": c})


ClassifierOption = Annotated[
    ClassifierKind, typer.Option("--classifier", help="linear model behind the calibration")
]
COption = Annotated[float | None, typer.Option("--c", min=1e-6, help="regularisation C")]


@app.command("train")
def train(
    data: DataOption,
    text_col: TextOption = "text",
    label_col: LabelOption = "一级标签",
    tokens_col: TokensOption = None,
    out: Annotated[Path, typer.Option("--out", help="model store directory")] = DEFAULT_ROOT,
    cv_folds: Annotated[
        int, typer.Option("--cv", min=0, help="cross-validate first, store the scores (0: skip)")
    ] = 5,
    classifier: ClassifierOption = ClassifierKind.SVM,
    c: COption = None,
    sample: SampleOption = None,
) -> None:
    """Train a new model version on FILE and store it with its cross-validated scores."""
    dataset = _read(data, text_col, label_col, tokens_col, sample)
    config = _config(classifier, c)
    metrics: dict[str, Any] = {}
    if cv_folds >= 2:
        with console.status(f"{cv_folds}-fold cross-validation"):
            result = cross_validate(dataset, config, cv_folds)
        _print_cv(result)
        metrics = {"cross_validation": result.to_dict()}
    with console.status(f"training on {len(dataset)} messages"):
        model = RoutingModel.train(dataset.docs, dataset.labels, config)
    version = ModelStore(out).save(
        model,
        data_hash=dataset.fingerprint(),
        trained_at=SystemClock().now(),
        metrics=metrics,
        info={"data": {"file": data.name, "rows": len(dataset), "labels": dataset.label_counts()}},
        rows=dataset.row_hashes(),
    )
    console.print(
        f"[green]trained[/green] version {version} on {len(dataset)} messages → {out / version}"
    )


@app.command("eval")
def evaluate_model(
    data: DataOption,
    text_col: TextOption = "text",
    label_col: LabelOption = "一级标签",
    tokens_col: TokensOption = None,
    model: Annotated[
        str | None,
        typer.Option("--model", help="a version directory, a store directory or a version name"),
    ] = None,
    sample: SampleOption = None,
) -> None:
    """Score a stored model on FILE (data it should not have been trained on)."""
    stored = _open(model)
    dataset = _read(data, text_col, label_col, tokens_col, sample)
    predicted = stored.model.predict(dataset.docs)
    unknown = sorted(set(dataset.labels) - set(stored.model.labels))
    if unknown:
        err_console.print(
            f"[yellow]warning[/yellow]: labels the model never saw: {', '.join(unknown)}"
        )
    _warn_if_trained_on(stored, dataset)
    labels = sorted(set(stored.model.labels) | set(dataset.labels))
    _print_metrics(
        f"model {stored.version} on {data.name}", evaluate(dataset.labels, predicted, labels)
    )
    proba = stored.model.predict_proba(dataset.docs)
    confidence = [float(p) for p in proba.max(axis=1)]
    correct = [p == t for p, t in zip(predicted, dataset.labels, strict=True)]
    stored_cal = ((stored.metrics or {}).get("cross_validation") or {}).get("calibration") or {}
    threshold = stored_cal.get("threshold")
    if threshold is not None:
        title = f"confidence on {data.name} at the model's threshold (chosen when it was trained)"
        found = calibration(confidence, correct, threshold=float(threshold))
    else:
        title = (
            f"confidence on {data.name}; the model has no stored threshold: chosen here for "
            f"precision ≥ {TARGET_PRECISION:.0%}"
        )
        found = calibration(confidence, correct)
    _print_calibration(title, found)


def _warn_if_trained_on(stored: StoredModel, dataset: LabelledSet) -> None:
    """Say so when the evaluated rows are (some of) the model's own training rows."""
    training = stored.training_rows()
    if training is None:  # a version stored before its rows were kept: the whole-data hash
        if stored.manifest.get("data_hash") == dataset.fingerprint():
            err_console.print(
                "[yellow]warning[/yellow]: this is the data the model was trained on: the "
                "scores below say how well it remembers, not how it does on new messages"
            )
        return
    seen = trained_on(dataset.row_hashes(), training)
    if seen:
        err_console.print(
            f"[yellow]warning[/yellow]: {seen} of the {len(dataset)} evaluated messages "
            f"({seen / len(dataset):.0%}) were in the model's training data: the scores below "
            "overstate how it does on new messages; evaluate on held-out data"
        )


def _open(model: str | None) -> StoredModel:
    try:
        if model is None:
            return ModelStore(DEFAULT_ROOT).load()
        path = Path(model)
        return open_model(path) if path.is_dir() else ModelStore(DEFAULT_ROOT).load(model)
    except FileNotFoundError as exc:
        err_console.print(f"[red]error[/red]: {exc}")
        raise typer.Exit(1) from exc


@app.command("cv")
def cross_validate_cmd(
    data: DataOption,
    text_col: TextOption = "text",
    label_col: LabelOption = "一级标签",
    tokens_col: TokensOption = None,
    folds: Annotated[int, typer.Option("--folds", min=2, help="number of folds")] = 5,
    classifier: ClassifierOption = ClassifierKind.SVM,
    c: COption = None,
    sample: SampleOption = None,
) -> None:
    """Stratified k-fold cross-validation; copies of a message always fall in the same fold."""
    dataset = _read(data, text_col, label_col, tokens_col, sample)
    with console.status(f"{folds}-fold cross-validation on {len(dataset)} messages"):
        result = cross_validate(dataset, _config(classifier, c), folds)
    _print_cv(result)
