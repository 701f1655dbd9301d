"""platform.routing: the trained routing model at intake (受理时智能分拨). Suggests the top-k
first-level labels of a text with calibrated probabilities, maps each to its category group and,
through the responsibility list, to the unit at the place, and explains it with the words that
weighed most. Also the use cases over the recorded decisions and corrections.

The model is the `latest` version under `Settings.router_model_dir`, loaded once on first use
(thread-safe). Without one, `available` is False, suggestions are empty and intake goes on as
before."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from cityops.appeals.routing import decisions, policy
from cityops.appeals.routing.decisions import RoutingCorrection, RoutingDecision
from cityops.appeals.routing.dispatch_rule import EXPLAIN_WORDS, RouteSuggestion
from cityops.appeals.routing.labels import LABEL_TO_CATEGORY_GROUP, CategoryGroup
from cityops.cases.public import CaseService
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.taxonomy.public import TaxonomyService

if TYPE_CHECKING:  # the model (scikit-learn) is imported when a model is first loaded
    from cityops.appeals.routing.router import Router

log = logging.getLogger(__name__)

MAX_TEXT = 5000
_TAG = re.compile(r"^【[^】]*】")

__all__ = [
    "CaseRouting",
    "RouteSuggestion",
    "RoutingService",
    "TrainingRow",
    "case_text",
]


def case_text(title: str, description: str) -> str:
    """The text the router reads for a case: title and description, without the title when it
    only repeats the start of the description (portal titles: 【投诉】 + the first words)."""
    head = _TAG.sub("", title).strip()
    body = description.strip()
    if not head or " ".join(body.split()).startswith(head):
        return body
    return f"{head}\n{body}"


@dataclass(frozen=True)
class CaseRouting:
    """The router's record on one case: its decision (None if it made none) and corrections."""

    case_id: int
    decision: RoutingDecision | None
    corrections: tuple[RoutingCorrection, ...]


@dataclass(frozen=True)
class TrainingRow:
    """One correction as labelled training data (`cityops router train --data`)."""

    text: str
    label: str
    category_code: str | None
    department_code: str
    case_id: int
    corrected_at: datetime


class RoutingService:
    """platform.routing"""

    def __init__(self, *, cases: CaseService, taxonomy: TaxonomyService, model_dir: Path) -> None:
        self._cases = cases
        self._taxonomy = taxonomy
        self.model_dir = model_dir
        self._lock = threading.Lock()
        self._loaded = False
        self._current: Router | None = None

    # ---- the model -------------------------------------------------------------------------

    def _router(self) -> Router | None:
        if not self._loaded:
            with self._lock:
                if not self._loaded:
                    self._current = self._load()
                    self._loaded = True
        return self._current

    def _load(self) -> Router | None:
        from cityops.appeals.routing.router import Router

        try:
            router = Router.load(self.model_dir)
        except FileNotFoundError:
            log.info("no routing model under %s: intake runs without suggestions", self.model_dir)
            return None
        except Exception:  # a damaged or incompatible model must not stop intake
            log.exception("cannot load the routing model under %s", self.model_dir)
            return None
        log.info("routing model %s loaded from %s", router.version, self.model_dir)
        return router

    def reload(self) -> bool:
        """Read the store's latest version again (after training); True when one is loaded."""
        with self._lock:
            self._current = self._load()
            self._loaded = True
        return self._current is not None

    @property
    def available(self) -> bool:
        """A trained model is loaded."""
        return self._router() is not None

    @property
    def model_version(self) -> str | None:
        router = self._router()
        return router.version if router is not None else None

    # ---- suggestions (no actor: intake and other domains call these) ---------------------------

    def suggest(
        self,
        session: Session,
        text: str,
        *,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
        k: int = 3,
        area_code: str | None = None,
    ) -> list[RouteSuggestion]:
        """The k most likely labels, most likely first, each with its category, the unit at
        the place (a point or an area code; None outside the city or without a place for a
        unit of the place) and its top words. [] when no model is loaded or the text is
        empty (or holds no words, only stop words and punctuation)."""
        router = self._router()
        if router is None:
            return []
        tokens = router.tokens(text[:MAX_TEXT])
        if not tokens:
            return []
        analysis = router.analyse_tokens(tokens)
        out: list[RouteSuggestion] = []
        for s in analysis.suggestions(len(router.labels)):
            group = LABEL_TO_CATEGORY_GROUP.get(s.label)
            if group is None:  # a label the taxonomy has no group for
                continue
            dept = self._cases.responsible_department(
                session, group.code, lon, lat, crs, area_code=area_code
            )
            words = analysis.explain(s.label, EXPLAIN_WORDS)
            out.append(
                RouteSuggestion(
                    label=s.label,
                    probability=s.probability,
                    category_code=group.code,
                    category_name=self._category_name(session, group),
                    department_code=dept.code if dept else None,
                    department_name=dept.name if dept else None,
                    top_words=tuple((w, round(weight, 4)) for w, weight in words),
                )
            )
            if len(out) >= max(1, k):
                break
        return out

    def suggest_category(self, session: Session, text: str) -> str | None:
        """The portal's CategorySuggester: the top label's category code when a model is loaded
        and that category is in use, else None (the portal then uses its fallback)."""
        router = self._router()
        if router is None:
            return None
        tokens = router.tokens(text[:MAX_TEXT])
        if not tokens:
            return None
        for s in router.suggest_tokens(tokens, len(router.labels)):
            group = LABEL_TO_CATEGORY_GROUP.get(s.label)
            if group is None:
                continue
            return group.code if self._category_in_use(session, group.code) else None
        return None

    def _category_name(self, session: Session, group: CategoryGroup) -> str:
        try:
            return self._taxonomy.get_category(session, group.code).name
        except NotFound:
            return group.name

    def _category_in_use(self, session: Session, code: str) -> bool:
        try:
            return self._taxonomy.get_category(session, code).active
        except NotFound:
            return False

    # ---- use cases -------------------------------------------------------------------------

    def suggest_routes(
        self,
        session: Session,
        actor: Actor,
        text: str,
        *,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
        k: int = 3,
    ) -> list[RouteSuggestion]:
        """Suggestions for a text an operator or dispatcher is taking in (受理辅助)."""
        policy.check_suggest_routes(actor)
        if not text.strip():
            raise ValidationFailed("give the text of the appeal", code="text_required")
        if (lon is None) != (lat is None):
            raise ValidationFailed("give both lon and lat, or neither", code="incomplete_point")
        return self.suggest(session, text, lon=lon, lat=lat, crs=crs, k=k)

    def case_routing(self, session: Session, actor: Actor, case_id: int) -> CaseRouting:
        """The router's decision on a case in the actor's scope (NotFound outside it)."""
        policy.check_view_case_routing(actor)
        self._cases.get_case(session, actor, case_id)
        return CaseRouting(
            case_id=case_id,
            decision=decisions.get_decision(session, case_id),
            corrections=tuple(decisions.corrections_for_case(session, case_id)),
        )

    def export_corrections(self, session: Session, actor: Actor) -> list[TrainingRow]:
        """Corrections that name a label, the latest per case, oldest first: training data."""
        policy.check_export_corrections(actor)
        latest: dict[int, RoutingCorrection] = {}
        for c in decisions.all_corrections(session):
            if c.corrected_label:
                latest.pop(c.case_id, None)
                latest[c.case_id] = c
        return [
            TrainingRow(
                text=c.text,
                label=c.corrected_label or "",
                category_code=c.corrected_category_code,
                department_code=c.department_code,
                case_id=c.case_id,
                corrected_at=c.corrected_at,
            )
            for c in latest.values()
        ]
