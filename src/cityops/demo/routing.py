"""The demo's routing model (智能分拨): trained on the real labelled appeals of
../shared/data/tipdm2020_c when the model store holds none yet, so that the demo's intake
suggests and dispatches. Without the data (or with a model already there) nothing is trained.

A quarter of the messages, chosen by a hash of their text, is held out of training, and the
demo's appeals are drawn from that quarter only: the demo shows how the model does on messages
it has not seen, not how well it remembers its training set."""

from __future__ import annotations

import csv
import tempfile
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityops.appeals.routing.public_training import ModelStore, RoutingModel, read_labelled, segment
from cityops.kernel.clock import Clock

TRAINING_FILE = Path("tipdm2020_c") / "appeals_labeled_raw_2537.csv"
TEXT_COLUMN = "text"  # 留言主题 + 留言详情
LABEL_COLUMN = "一级标签"


def held_out(text: str) -> bool:
    """Whether the demo keeps this message (its `text` column) out of training; blind to
    whitespace, so that line endings read either way give the same answer."""
    return zlib.crc32("".join(text.split()).encode("utf-8")) % 4 == 0


def _training_file(source: Path, target: Path) -> int:
    """Copy the rows not held out; returns how many."""
    n = 0
    with (
        source.open(encoding="utf-8-sig", newline="") as fh,
        target.open("w", encoding="utf-8", newline="") as out,
    ):
        reader = csv.DictReader(fh)
        writer = csv.DictWriter(out, fieldnames=reader.fieldnames or [])
        writer.writeheader()
        for row in reader:
            if not held_out(row.get(TEXT_COLUMN) or ""):
                writer.writerow(row)
                n += 1
    return n


@dataclass(frozen=True)
class DemoModel:
    version: str
    messages: int
    trained: bool  # False: the store already held this version


def rows_to_train(data_dir: Path | None, model_dir: Path) -> int | None:
    """How many rows `ensure_model` would read to train: None when the store holds a model
    already or the training file is not under `data_dir`."""
    path = data_dir / TRAINING_FILE if data_dir is not None else None
    if path is None or not path.is_file() or ModelStore(model_dir).latest() is not None:
        return None
    with path.open(encoding="utf-8-sig", newline="") as fh:
        return sum(1 for row in csv.DictReader(fh) if not held_out(row.get(TEXT_COLUMN) or ""))


def ensure_model(
    data_dir: Path | None,
    model_dir: Path,
    clock: Clock,
    *,
    on_message: Callable[[], None] | None = None,
    on_fit: Callable[[int], None] | None = None,
) -> DemoModel | None:
    """The store's latest version, or a new one trained on the raw file's messages that are not
    held out (`on_message` is called as each is segmented, `on_fit` before fitting). None when
    there is neither a model nor the data."""
    store = ModelStore(model_dir)
    latest = store.latest()
    if latest is not None:
        return DemoModel(latest, 0, trained=False)
    if data_dir is None or not (data_dir / TRAINING_FILE).is_file():
        return None
    tick = on_message or (lambda: None)

    def segmenter(text: str) -> str:
        tick()
        return segment(text)

    with tempfile.TemporaryDirectory() as tmp:
        training = Path(tmp) / TRAINING_FILE.name
        _training_file(data_dir / TRAINING_FILE, training)
        dataset = read_labelled(training, TEXT_COLUMN, LABEL_COLUMN, segmenter=segmenter)
    if on_fit is not None:
        on_fit(len(dataset))
    model = RoutingModel.train(dataset.docs, dataset.labels)
    version = store.save(
        model,
        data_hash=dataset.fingerprint(),
        rows=dataset.row_hashes(),
        trained_at=clock.now(),
        info={
            "data": {
                "file": TRAINING_FILE.name,
                "rows": len(dataset),
                "held_out": "crc32(text) % 4 == 0 (the demo replays those)",
                "labels": dataset.label_counts(),
            },
            "trained_by": "cityops demo",
        },
    )
    return DemoModel(version, len(dataset), trained=True)
