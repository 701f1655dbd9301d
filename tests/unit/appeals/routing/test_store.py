from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cityops.appeals.routing.dataset import LabelledSet
from cityops.appeals.routing.model import RoutingModel, segment
from cityops.appeals.routing.router import Router
from cityops.appeals.routing.store import ModelStore, open_model

T0 = datetime(2026, 11, 23, 1, 2, 3, tzinfo=UTC)
TEXTS = ["学校老师乱收学费", "公交司机不按线路行驶", "工厂夜间偷排污水，异味很重", "请问幼儿园招生"]


def test_round_trip_keeps_predictions(tmp_path: Path, model: RoutingModel) -> None:
    store = ModelStore(tmp_path)
    version = store.save(model, data_hash="abcd1234", trained_at=T0, metrics={"macro_f1": 0.9})
    assert version == "20261123T010203Z-abcd1234"
    router = Router.load(tmp_path)
    assert router.version == version
    assert router.metrics == {"macro_f1": 0.9}
    docs = [segment(t) for t in TEXTS]
    assert router.model.predict(docs) == model.predict(docs)
    assert router.model.predict_proba(docs) == pytest.approx(model.predict_proba(docs))
    assert [s.label for s in router.suggest(TEXTS[0])] == [s.label for s in model.suggest(docs[0])]
    manifest = json.loads((tmp_path / version / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["labels"] == list(model.labels)
    assert manifest["config"] == json.loads(json.dumps(model.config.to_dict()))


def test_versions_are_distinct_and_latest_moves(
    tmp_path: Path, corpus: LabelledSet, model: RoutingModel
) -> None:
    store = ModelStore(tmp_path)
    smaller = corpus.subset(range(30))
    other = RoutingModel.train(smaller.docs, smaller.labels)
    first = store.save(model, data_hash=corpus.fingerprint(), trained_at=T0)
    second = store.save(other, data_hash=smaller.fingerprint(), trained_at=T0)
    again = store.save(model, data_hash=corpus.fingerprint(), trained_at=T0)
    assert len({first, second, again}) == 3
    assert corpus.fingerprint() != smaller.fingerprint()
    assert store.versions() == sorted([first, second, again])
    assert store.latest() == again
    assert open_model(tmp_path / first).version == first
    assert store.load(second).model.labels == other.labels


def test_an_empty_store_says_so(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="no trained routing model"):
        Router.load(tmp_path)
    with pytest.raises(FileNotFoundError, match="no routing model version"):
        ModelStore(tmp_path).load("20200101T000000Z-00000000")
