"""platform.routing: the trained routing model at intake (受理时智能分拨). Suggests the top-k leaf
categories (细类) of the responsibility list for a text — the model's calibrated board labels
combined with the list's own words (names, filing conditions, the keywords stored with each
category) and operators' corrections (leaves.py), weighed by what was filed lately at the place
(place.py) — each with the unit the list names for it at the place and the words behind it.
Also the use cases over the recorded decisions and corrections.

The model is the `latest` version under `Settings.router_model_dir`, loaded once on first use
(thread-safe). Without one, `available` is False, suggestions are empty and intake goes on as
before."""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from cityops.appeals.routing import decisions, policy
from cityops.appeals.routing.decisions import RoutingCorrection, RoutingDecision
from cityops.appeals.routing.dispatch_rule import EXPLAIN_WORDS, RouteSuggestion
from cityops.appeals.routing.labels import LABEL_GROUPS, LABEL_TO_CATEGORY_GROUP
from cityops.appeals.routing.leaves import Example, LeafGuess, LeafIndex, specs_of
from cityops.appeals.routing.place import (
    WINDOW_DAYS,
    PlacePrior,
    Weighed,
    nearby_cases,
    weigh,
)
from cityops.appeals.routing.stopwords import is_evidence_word
from cityops.cases.public import CaseArea, CaseService, cases_in_street, category_counts
from cityops.kernel.actor import Actor
from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.kernel.ttl_cache import TtlCache
from cityops.taxonomy.public import CategoryKind, TaxonomyService

if TYPE_CHECKING:  # the model (scikit-learn) is imported when a model is first loaded
    from cityops.appeals.routing.model import Analysis
    from cityops.appeals.routing.router import Router

log = logging.getLogger(__name__)

MAX_TEXT = 5000
# The leaf model is rebuilt from the list and the corrections at least this often: a correction
# made in another process is used within a minute (a change of the list at once: its stamp).
LEAF_INDEX_SECONDS = 60.0
MAX_EXAMPLES = 5000  # the latest corrections the leaf model compares a message with
PLACE_CANDIDATES = 8  # the text's candidates the place may reorder
CITY_COUNTS_SECONDS = 300.0  # the city's mix of categories changes slowly
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
        # keyed by the list's stamp: a change of the list in any process is seen at once
        self._leaves: TtlCache[LeafIndex] = TtlCache(LEAF_INDEX_SECONDS, max_entries=4)
        self._city: TtlCache[dict[str, int]] = TtlCache(CITY_COUNTS_SECONDS, max_entries=4)

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

    @property
    def measured_threshold(self) -> float | None:
        """The automatic-dispatch threshold measured with the loaded model (its precision on
        held-out messages ≥ 97 %, `cityops router train`), None when it was stored without."""
        router = self._router()
        if router is None:
            return None
        found = (router.metrics.get("cross_validation") or {}).get("calibration") or {}
        value = found.get("threshold")
        return float(value) if value is not None else None

    def leaf_index(self, session: Session) -> LeafIndex:
        """The leaf model over the list in use (names, filing conditions and the keywords
        stored with each category) and the latest corrections: built again when the list
        changed in any process (its stamp, one small query) and at least once a minute."""
        stamp = self._taxonomy.list_stamp(session)
        return self._leaves.get_or_load(("index", stamp), lambda: self._build_leaf_index(session))

    def forget_leaf_index(self) -> None:
        """Build the leaf model again on next use (after a correction or a list change)."""
        self._leaves.clear()

    def _build_leaf_index(self, session: Session) -> LeafIndex:
        router = self._router()
        cats = self._taxonomy.list_categories(session, kind=CategoryKind.appeal)
        by_code = {c.code for c in cats}

        def words(text: str) -> list[str]:
            if router is None:
                return []
            return [w for w in router.tokens(text).split() if is_evidence_word(w)]

        specs = specs_of(cats, {c.code: c.keywords for c in cats}, words)
        examples: list[Example] = []
        if router is not None:
            corrections = decisions.all_corrections(session)[-MAX_EXAMPLES:]
            for corr in corrections:
                if corr.corrected_category_code in by_code:
                    seen = frozenset(router.tokens(corr.text[:MAX_TEXT]).split())
                    examples.append(Example(corr.corrected_category_code, seen))
        return LeafIndex(specs, LABEL_GROUPS, examples)

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
        area: CaseArea | None = None,
        exclude_case: int | None = None,
    ) -> list[RouteSuggestion]:
        """The k most likely labels, most likely first, each with its category, the unit at
        the place (a point or an area code; None outside the city or without a place for a
        unit of the place) and its top words. [] when no model is loaded or the text is
        empty (or holds no words, only stop words and punctuation).

        With the appeal's `area` (its street, community and grid), the recent cases there
        weigh the candidates too (place.py; `exclude_case`: the appeal's own case)."""
        ranked = self._rank(session, text, k, area=area, exclude_case=exclude_case)
        if ranked is None:
            return []
        analysis, guesses, placed = ranked
        out: list[RouteSuggestion] = []
        for g in guesses:
            weighed = placed.get(g.code)
            dept = self._cases.responsible_department(
                session, g.code, lon, lat, crs, area_code=area_code
            )
            words = analysis.evidence(g.label, EXPLAIN_WORDS)
            out.append(
                RouteSuggestion(
                    label=g.label,
                    probability=g.probability,
                    category_code=g.code,
                    category_name=self._name_of(session, g.code),
                    department_code=dept.code if dept else None,
                    department_name=dept.name if dept else None,
                    top_words=tuple((w, round(weight, 4)) for w, weight in words),
                    leaf=g.leaf,
                    label_probability=round(g.label_probability, 4),
                    keywords=g.matched,
                    text_probability=weighed.text_probability if weighed is not None else None,
                    place=weighed.note if weighed is not None else None,
                )
            )
        return out

    def _rank(
        self,
        session: Session,
        text: str,
        k: int,
        *,
        area: CaseArea | None = None,
        exclude_case: int | None = None,
    ) -> tuple[Analysis, list[LeafGuess], dict[str, Weighed]] | None:
        """The message read once by the model and its k most likely categories, weighed by the
        place when one is given; None without a model or words."""
        router = self._router()
        if router is None:
            return None
        text = text[:MAX_TEXT]
        tokens = router.tokens(text)
        if not tokens:
            return None
        analysis = router.analyse_tokens(tokens)
        labels = {s.label: s.probability for s in analysis.suggestions(len(router.labels))}
        index = self.leaf_index(session)
        prior = self._place_prior(session, area, exclude_case, index) if index.specs else None
        wanted = max(1, k, PLACE_CANDIDATES if prior is not None else 1)
        guesses = index.rank(text, labels, tokens.split(), k=wanted) if index.specs else []
        placed: dict[str, Weighed] = {}
        if guesses and prior is not None:
            by_code = {g.code: g for g in guesses}
            weighed = weigh([(g.code, g.probability) for g in guesses], prior)
            placed = {w.code: w for w in weighed}
            guesses = [replace(by_code[w.code], probability=w.probability) for w in weighed]
        guesses = guesses[: max(1, k)]
        if not guesses:  # a list without appeal categories: the groups, no leaf known
            guesses = [
                LeafGuess(group.code, p, False, label, p)
                for label, p in sorted(labels.items(), key=lambda kv: -kv[1])
                if (group := LABEL_TO_CATEGORY_GROUP.get(label)) is not None
            ][: max(1, k)]
        return analysis, guesses, placed

    def _place_prior(
        self,
        session: Session,
        area: CaseArea | None,
        exclude_case: int | None,
        index: LeafIndex,
    ) -> PlacePrior | None:
        """The recent cases of the appeal's street (its community and grid nearer), or None
        without a street."""
        if area is None or area.street is None:
            return None
        now = self._cases.clock.now()
        since = now - timedelta(days=WINDOW_DAYS)
        where = (
            area.street.code,
            area.community.code if area.community else None,
            area.grid.code if area.grid else None,
        )
        rows = [
            (
                c.category_code,
                (c.street_code, c.community_code, c.grid_code),
                max(0.0, (now - c.reported_at).total_seconds() / 86400.0),
            )
            for c in cases_in_street(session, area.street.code, since)
            if c.case_id != exclude_case
        ]
        city = self._city.get_or_load(("city", now.date()), lambda: category_counts(session, since))
        leaves = sum(1 for s in index.specs if s.is_leaf)
        return PlacePrior(nearby_cases(where, rows), city, leaves)

    def suggest_category(self, session: Session, text: str) -> str | None:
        """The portal's CategorySuggester: the most likely category (a leaf where the text names
        one, else its group) when a model is loaded and that category is in use, else None (the
        portal then uses its fallback)."""
        ranked = self._rank(session, text, 1)
        if ranked is None or not ranked[1]:
            return None
        top = ranked[1][0]
        return top.code if self._category_in_use(session, top.code) else None

    def _name_of(self, session: Session, code: str) -> str:
        try:
            return self._taxonomy.get_category(session, code).name
        except NotFound:
            group = next((g for g in LABEL_TO_CATEGORY_GROUP.values() if g.code == code), None)
            return group.name if group is not None else code

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
