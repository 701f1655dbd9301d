"""Model versions on disk: one directory per version, and a `latest` pointer.

```
var/models/router/
  latest                         the name of the newest version (a one-line text file)
  20261123T010203Z-1a2b3c4d/     version = UTC training time + short hash of the training data
    model.joblib                 the fitted pipeline
    manifest.json                version, time, data hash and size, labels, config, library versions
    metrics.json                 scores measured at training time (cross-validated)
    training_rows.txt            a short hash of each training message (dataset.doc_hash), sorted:
                                 `router eval` warns when the rows it scores were trained on
```
A model file is a pickle: load only versions this platform wrote itself.
"""

from __future__ import annotations

import json
import platform
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib  # type: ignore[import-untyped]
import sklearn

from cityops.appeals.routing.model import RoutingConfig, RoutingModel

MODEL_FILE = "model.joblib"
MANIFEST_FILE = "manifest.json"
METRICS_FILE = "metrics.json"
ROWS_FILE = "training_rows.txt"
LATEST_FILE = "latest"


@dataclass(frozen=True)
class StoredModel:
    version: str
    path: Path
    model: RoutingModel
    manifest: dict[str, Any]
    metrics: dict[str, Any]

    def training_rows(self) -> frozenset[str] | None:
        """The hashes of the messages this version was trained on; None for a version stored
        before they were kept."""
        path = self.path / ROWS_FILE
        if not path.is_file():
            return None
        return frozenset(line for line in path.read_text(encoding="utf-8").split() if line)


def _write_json(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")


class ModelStore:
    """The directory that holds every trained version of the routing model."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def save(
        self,
        model: RoutingModel,
        *,
        data_hash: str,
        trained_at: datetime,
        metrics: dict[str, Any] | None = None,
        info: dict[str, Any] | None = None,
        rows: Sequence[str] | None = None,
    ) -> str:
        """Write a new version and point `latest` at it; returns the version name. `rows`: the
        hashes of the training messages (LabelledSet.row_hashes), kept beside the model."""
        stamp = trained_at.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
        self.root.mkdir(parents=True, exist_ok=True)
        version, n = f"{stamp}-{data_hash}", 1
        while (self.root / version).exists():
            n += 1
            version = f"{stamp}-{data_hash}-{n}"
        tmp = self.root / f".{version}.tmp"
        tmp.mkdir()
        joblib.dump({"pipeline": model.pipeline, "labels": list(model.labels)}, tmp / MODEL_FILE)
        manifest = {
            "version": version,
            "trained_at": trained_at.astimezone(UTC).isoformat(),
            "data_hash": data_hash,
            "labels": list(model.labels),
            "config": model.config.to_dict(),
            "python": platform.python_version(),
            "sklearn": sklearn.__version__,
            **(info or {}),
        }
        _write_json(tmp / MANIFEST_FILE, manifest)
        _write_json(tmp / METRICS_FILE, metrics or {})
        if rows is not None:
            (tmp / ROWS_FILE).write_text("".join(f"{r}\n" for r in sorted(set(rows))), "utf-8")
        tmp.rename(self.root / version)
        (self.root / LATEST_FILE).write_text(version + "\n", encoding="utf-8")
        return version

    def versions(self) -> list[str]:
        """Every stored version, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.name for p in self.root.iterdir() if p.is_dir() and (p / MANIFEST_FILE).is_file()
        )

    def latest(self) -> str | None:
        pointer = self.root / LATEST_FILE
        if not pointer.is_file():
            return None
        return pointer.read_text(encoding="utf-8").strip() or None

    def resolve(self, version: str | None = None) -> Path:
        """The directory of `version` (default: latest); FileNotFoundError if there is none."""
        name = version or self.latest()
        if name is None:
            raise FileNotFoundError(f"no trained routing model under {self.root}")
        path = self.root / name
        if not (path / MANIFEST_FILE).is_file():
            raise FileNotFoundError(f"no routing model version {name!r} under {self.root}")
        return path

    def load(self, version: str | None = None) -> StoredModel:
        return load_version_dir(self.resolve(version))


def load_version_dir(path: Path) -> StoredModel:
    """Load one version directory (the one holding manifest.json)."""
    manifest = json.loads((path / MANIFEST_FILE).read_text(encoding="utf-8"))
    metrics_path = path / METRICS_FILE
    metrics = json.loads(metrics_path.read_text(encoding="utf-8")) if metrics_path.is_file() else {}
    payload = joblib.load(path / MODEL_FILE)
    model = RoutingModel(
        RoutingConfig.from_dict(manifest["config"]), payload["pipeline"], tuple(payload["labels"])
    )
    return StoredModel(manifest["version"], path, model, manifest, metrics)


def open_model(location: Path) -> StoredModel:
    """A version directory, or a store root (its latest version)."""
    if (location / MANIFEST_FILE).is_file():
        return load_version_dir(location)
    return ModelStore(location).load()
