"""After commit: the router decides on each freshly reported citizen appeal (`CaseReported`), and
learns from each person's dispatch that disagrees with it (`CaseDispatched`). Intake never waits
for the model and never fails because of it: these run on the outbox relay."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityops.appeals.routing import decisions
from cityops.appeals.routing.decisions import RoutingCorrection, RoutingDecision
from cityops.appeals.routing.dispatch_rule import (
    CITIZEN_SOURCES,
    IntakeFacts,
    RouteSuggestion,
    RoutingOutcome,
    RoutingReason,
    Verdict,
    corrected_label,
    decide,
    dispatch_note,
    needs_correction,
    register_note,
)
from cityops.appeals.routing.labels import LABEL_TO_CATEGORY_GROUP
from cityops.appeals.routing.service import RoutingService, case_text
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseDispatched,
    CaseReported,
    CaseService,
    CaseView,
)
from cityops.infra.bus import EventBus
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import SYSTEM, Actor, Role
from cityops.kernel.clock import Clock
from cityops.kernel.errors import Conflict, DomainError, NotFound
from cityops.kernel.events import NO_TRACE, Trace, caused_by, tracing

log = logging.getLogger(__name__)


class CaseNotVisible(LookupError):
    """A case whose CaseReported was delivered cannot be read: the pass is retried."""


INTAKE_SUBSCRIPTION = "routing.intake"
CORRECTIONS_SUBSCRIPTION = "routing.corrections"
# Cases per write transaction of a relay pass: on SQLite a transaction holds the database, and
# a router's decision with its register + dispatch is about ten statements; a pass of 200 cases
# in one transaction kept intake waiting for hundreds of milliseconds.
WRITE_CHUNK = 8
# Queued decisions (one row each, nothing else) per write transaction.
QUEUED_CHUNK = 50
# The router acts in the case history under its own name (智能分拨), never as a person.
ROUTER = Actor(
    user_id=None,
    username="router",
    roles=frozenset({Role.operator, Role.dispatcher}),
    display_name="智能分拨",
)

Reads = Callable[[], AbstractContextManager[Session]]
Uows = Callable[[], AbstractContextManager[UnitOfWork]]
# case id → who chose its category ("system" when the citizen let it choose), for many cases
CategoriesBy = Callable[[Session, Sequence[int]], Mapping[int, str]]


@dataclass(frozen=True)
class _Prepared:
    view: CaseView
    suggestions: list[RouteSuggestion]
    verdict: Verdict
    model_version: str
    trace: Trace = NO_TRACE  # of the CaseReported decided on (kernel/events.py)


class RoutingRecorder:
    def __init__(
        self,
        *,
        routing: RoutingService,
        cases: CaseService,
        reads: Reads,
        uows: Uows,
        clock: Clock,
        threshold: float,
        categories_by: CategoriesBy | None = None,
    ) -> None:
        self._routing = routing
        self._cases = cases
        self._reads = reads
        self._uows = uows
        self._clock = clock
        self._threshold = threshold
        self._categories_by = categories_by

    @property
    def threshold(self) -> float:
        """The automatic-dispatch threshold in force: the configured one, raised to the one
        measured with the loaded model (precision ≥ 97 % on held-out messages) where higher."""
        measured = self._routing.measured_threshold
        return max(self._threshold, measured) if measured is not None else self._threshold

    # ---- CaseReported: decide ------------------------------------------------------------------

    def on_reported_batch(self, events: Sequence[CaseReported]) -> None:
        """A relay pass of new cases: the cases, which of them were decided before and who chose
        their categories are read with one query each, the suggestions made on that read
        session, and the decisions (and the router's own register + dispatch) written in
        transactions of `WRITE_CHUNK` cases, each case in a savepoint of its own, so one
        refused step leaves the others."""
        wanted = sorted({e.case_id for e in events if e.source in CITIZEN_SOURCES})
        if not wanted or not self._routing.available:
            return
        traces = {e.case_id: caused_by(e) for e in events}
        with self._reads() as session:
            views = self._cases.get_cases(session, SYSTEM, wanted)
            decided = decisions.decided_among(session, wanted)
            chosen_by = (
                self._categories_by(session, [i for i in wanted if i not in decided])
                if self._categories_by is not None
                else {}
            )
            prepared = []
            for case_id in wanted:
                view = views.get(case_id)
                if view is None:
                    # its event was committed with it: a read that misses it is out of date
                    # (or failed), so the pass fails and the relay delivers the event again
                    raise CaseNotVisible(f"reported case {case_id} is not visible to the router")
                p = self._prepare(
                    session,
                    view,
                    already=case_id in decided,
                    by_system=chosen_by.get(case_id) == "system",
                )
                if p is not None:
                    prepared.append(replace(p, trace=traces[case_id]))
        if not prepared:
            return
        # a queued decision is one row (written for a whole chunk at once); an automatic one
        # also registers and dispatches the case, each in a savepoint of its own
        queued = [p for p in prepared if p.verdict.outcome is not RoutingOutcome.auto_dispatched]
        auto = [p for p in prepared if p.verdict.outcome is RoutingOutcome.auto_dispatched]
        for start in range(0, len(queued), QUEUED_CHUNK):
            with self._uows() as uow:
                decisions.insert_decisions(
                    uow.session, [self._decision(p) for p in queued[start : start + QUEUED_CHUNK]]
                )
        for start in range(0, len(auto), WRITE_CHUNK):
            with self._uows() as uow:
                for p in auto[start : start + WRITE_CHUNK]:
                    with tracing(p.trace):  # its register and dispatch were caused by it
                        self._decide(uow, p)

    def _decide(self, uow: UnitOfWork, p: _Prepared) -> None:
        try:
            with uow.session.begin_nested():
                self._record(uow, p, auto=p.verdict.outcome is RoutingOutcome.auto_dispatched)
        except DomainError as exc:  # the engine refused a step: leave it to the dispatcher
            log.info("automatic dispatch of case %s refused: %s", p.view.id, exc.code)
            taken = isinstance(exc, Conflict)  # someone registered it meanwhile
            refused = Verdict(
                RoutingOutcome.skipped if taken else RoutingOutcome.queued,
                RoutingReason.case_taken_up if taken else RoutingReason.dispatch_refused,
                p.verdict.department_code,
                p.verdict.department_name,
            )
            with uow.session.begin_nested():
                self._record(uow, replace(p, verdict=refused), auto=False)
        except IntegrityError:  # a concurrent delivery of the same event recorded it first
            return

    def _prepare(
        self, session: Session, view: CaseView, *, already: bool, by_system: bool
    ) -> _Prepared | None:
        suggestions = (
            []
            if already
            else self._routing.suggest(
                session,
                case_text(view.title, view.description),
                lon=view.lon,
                lat=view.lat,
                area_code=view.area_code,
                area=view.area,  # what was filed lately nearby weighs the leaf too
                exclude_case=view.id,
            )
        )
        dept = view.suggested_department
        facts = IntakeFacts(
            source=view.source.value,
            status=view.status.value,
            category_code=view.category_code,
            category_by_system=by_system,
            department_code=dept.code if dept else None,
            department_name=dept.name if dept else None,
            already_decided=already,
        )
        verdict = decide(facts, suggestions, self.threshold)
        version = self._routing.model_version
        if verdict is None or version is None:
            return None
        return _Prepared(view, suggestions, verdict, version)

    def _decision(self, p: _Prepared) -> RoutingDecision:
        top = p.suggestions[0]
        return RoutingDecision(
            case_id=p.view.id,
            source=p.view.source.value,
            model_version=p.model_version,
            suggestions=tuple(p.suggestions),
            category_code=top.category_code,
            confidence=top.probability,
            threshold=self.threshold,
            department_code=p.verdict.department_code,
            department_name=p.verdict.department_name,
            outcome=p.verdict.outcome,
            reason=p.verdict.reason,
            decided_at=self._clock.now(),
            correlation_id=p.trace.correlation_id or None,
            causation_id=p.trace.causation_id or None,
        )

    def _record(self, uow: UnitOfWork, p: _Prepared, *, auto: bool) -> None:
        top = p.suggestions[0]
        if not decisions.insert_decision(uow.session, self._decision(p)) or not auto:
            return
        registered = self._cases.act(
            uow,
            ROUTER,
            p.view.id,
            CaseAction.register,
            ActionCommand(version=p.view.version, note=register_note(top)),
        )
        note = dispatch_note(top, self.threshold, p.verdict.department_name, p.model_version)
        self._cases.act(
            uow,
            ROUTER,
            p.view.id,
            CaseAction.dispatch,
            ActionCommand(
                version=registered.version,
                department_code=p.verdict.department_code,
                note=note,
            ),
        )

    # ---- CaseDispatched: learn from people ---------------------------------------------------

    def on_dispatched_batch(self, events: Sequence[CaseDispatched]) -> None:
        """A relay pass of dispatches: one query finds the few the router had decided on (a
        dispatch of a case it never saw cannot correct it); those are looked at one by one."""
        by_people = [e for e in events if e.actor != ROUTER.username]
        if not by_people:
            return
        with self._reads() as session:
            decided = decisions.decided_among(session, sorted({e.case_id for e in by_people}))
        for event in by_people:
            if event.case_id in decided:
                self.on_dispatched(event)

    def on_dispatched(self, event: CaseDispatched) -> None:
        """A person's dispatch that differs from the router's choice becomes a correction."""
        if event.actor == ROUTER.username:
            return
        with self._reads() as session:
            decision = decisions.get_decision(session, event.case_id)
            if decision is None or not decision.suggestions:
                return
            if decisions.has_correction(session, event.event_id):
                return
            try:
                view = self._cases.get_case(session, SYSTEM, event.case_id)
            except NotFound:
                return
            top = decision.suggestions[0]
            if not needs_correction(
                top.category_code,
                decision.department_code,
                event.department_code,
                view.category_code,
            ):
                return
            groups = {label: g.code for label, g in LABEL_TO_CATEGORY_GROUP.items()}
            by_label: dict[str, str | None] = {}
            for label, code in groups.items():
                dept = self._cases.responsible_department(
                    session, code, view.lon, view.lat, area_code=view.area_code
                )
                by_label[label] = dept.code if dept else None
        own = view.suggested_department
        found = corrected_label(
            case_category=view.category_code,
            case_department=own.code if own else None,
            dispatched_department=event.department_code,
            groups=groups,
            department_by_label=by_label,
        )
        department = view.department
        correction = RoutingCorrection(
            case_id=event.case_id,
            event_id=event.event_id,
            text=case_text(view.title, view.description),
            predicted_label=top.label,
            predicted_department_code=decision.department_code,
            corrected_label=found[0] if found else None,
            # the category the person dispatched it under: the leaf model learns from it even
            # where it names no board label (e.g. 市政设施损坏)
            corrected_category_code=(
                found[1]
                if found
                else view.category_code
                if own is not None and own.code == event.department_code
                else None
            ),
            department_code=event.department_code,
            department_name=(
                department.name
                if department is not None and department.code == event.department_code
                else None
            ),
            corrected_by=event.actor,
            corrected_at=event.occurred_at,
        )
        with self._uows() as uow:
            decisions.insert_correction(uow.session, correction)
        self._routing.forget_leaf_index()  # the next message is compared with it too


def subscribe(bus: EventBus, recorder: RoutingRecorder) -> None:
    bus.subscribe_batch(CaseReported, recorder.on_reported_batch, name=INTAKE_SUBSCRIPTION)
    bus.subscribe_batch(CaseDispatched, recorder.on_dispatched_batch, name=CORRECTIONS_SUBSCRIPTION)
