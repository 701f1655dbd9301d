"""`Router`: the trained routing model as the rest of the platform uses it (raw text in, ranked
labels with calibrated probabilities and their explanation out). The label → category-group map
lives in `labels.py` and is re-exported here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from cityops.appeals.routing.labels import LABEL_TO_CATEGORY_GROUP, CategoryGroup
from cityops.appeals.routing.model import (
    Analysis,
    RoutingModel,
    Suggestion,
    preload_dictionary,
    segment,
)
from cityops.appeals.routing.store import open_model

__all__ = ["LABEL_TO_CATEGORY_GROUP", "CategoryGroup", "Router"]


class Router:
    """Suggests where an appeal belongs. Thread-safe for prediction; load once, share."""

    def __init__(self, model: RoutingModel, version: str, metrics: dict[str, Any] | None = None):
        self.model = model
        self.version = version
        self.metrics = metrics or {}
        preload_dictionary()

    @classmethod
    def load(cls, location: Path) -> Router:
        """A version directory, or a store root such as var/models/router (its latest version)."""
        stored = open_model(location)
        return cls(stored.model, stored.version, stored.metrics)

    @property
    def labels(self) -> tuple[str, ...]:
        return self.model.labels

    def tokens(self, text: str) -> str:
        """The model's view of a raw message (segmented, as far as the model reads); segment
        once and pass it to `suggest_tokens` / `analyse_tokens` when asking several things."""
        return segment(text, self.model.config.max_chars)

    def suggest_tokens(self, tokens: str, k: int = 3) -> list[Suggestion]:
        return self.model.suggest(tokens, k)

    def analyse_tokens(self, tokens: str) -> Analysis:
        """Labels and explanations from one pass over the features (see model.Analysis)."""
        return self.model.analyse(tokens)

    def suggest(self, text: str, k: int = 3) -> list[Suggestion]:
        """The k most likely labels for a raw message, with calibrated probabilities."""
        return self.model.suggest(segment(text, self.model.config.max_chars), k)

    def explain(self, text: str, label: str, n: int = 8) -> list[tuple[str, float]]:
        """The words of `text` that push hardest towards `label`, with their weight."""
        return self.model.explain(segment(text, self.model.config.max_chars), label, n)
