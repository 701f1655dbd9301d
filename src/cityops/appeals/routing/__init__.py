"""Smart routing (智能分拨): a text classifier that learns from past appeals which first-level
category a new one belongs to, with calibrated top-k probabilities and word-level explanations.

Owns: reading labelled CSVs (dataset), features and training (model), evaluation and leak-free
cross-validation (evaluation), model versions on disk (store) and the `Router` used at intake.
Does not own: mapping a category to a department (the responsibility list in cases) or the
decision to dispatch automatically (intake)."""

from __future__ import annotations

from cityops.appeals.routing.model import RoutingConfig, RoutingModel, Suggestion
from cityops.appeals.routing.router import LABEL_TO_CATEGORY_GROUP, CategoryGroup, Router

__all__ = [
    "LABEL_TO_CATEGORY_GROUP",
    "CategoryGroup",
    "Router",
    "RoutingConfig",
    "RoutingModel",
    "Suggestion",
]
