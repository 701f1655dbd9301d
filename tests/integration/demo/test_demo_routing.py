"""The demo's routing model: trained once on the messages it does not replay, kept when the
store holds one, absent without the data."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from pathlib import Path

from cityops.appeals.routing.router import Router
from cityops.demo.messages import load_messages
from cityops.demo.routing import TRAINING_FILE, ensure_model, held_out, rows_to_train
from cityops.kernel.clock import FixedClock

CLOCK = FixedClock(datetime(2026, 11, 1, tzinfo=UTC))


def _small_copy(shared_data: Path, root: Path, every: int = 6) -> Path:
    """A data folder whose training file holds every 6th real message (about 420)."""
    source = shared_data / TRAINING_FILE
    target = root / TRAINING_FILE
    target.parent.mkdir(parents=True)
    with source.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        rows = list(reader)[::every]
        fields = reader.fieldnames or []
    with target.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)
    return root


def test_trains_once_on_the_messages_it_does_not_replay(shared_data: Path, tmp_path: Path) -> None:
    data = _small_copy(shared_data, tmp_path / "data")
    models = tmp_path / "models"
    with (data / TRAINING_FILE).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    texts = [row["text"] for row in rows]
    kept = [t for t in texts if not held_out(t)]
    held = [row for row in rows if held_out(row["text"])]
    assert 0.6 * len(texts) < len(kept) < 0.9 * len(texts)  # about a quarter held out
    assert rows_to_train(data, models) == len(kept)

    ticks: list[int] = []
    first = ensure_model(data, models, CLOCK, on_message=lambda: ticks.append(1))
    assert first is not None
    assert first.trained
    assert first.messages == len(ticks) == len(kept)  # every kept row had a label and text
    assert Router.load(models).version == first.version
    assert rows_to_train(data, models) is None  # a model is there now

    again = ensure_model(data, models, CLOCK)
    assert again is not None
    assert (again.version, again.trained) == (first.version, False)

    replayed = load_messages(data, keep=held_out)  # the demo's appeals: held-out rows only
    assert len(replayed) == len(held)
    titles = {
        (row["留言主题"].strip() or (row["留言详情"] or row["text"]).strip()[:30])[:120]
        for row in held
    }
    assert {m.title for m in replayed} <= titles


def test_no_data_no_model(tmp_path: Path) -> None:
    assert rows_to_train(None, tmp_path / "models") is None
    assert ensure_model(None, tmp_path / "models", CLOCK) is None
    assert ensure_model(tmp_path, tmp_path / "models", CLOCK) is None
    assert not (tmp_path / "models").exists()
