"""Case use cases (platform.cases): intake, workflow actions, scoped reads, the SLA scan and the
indicator counts. Every method that takes an actor checks its rule in policy.py first."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator, Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.cases import (
    deadlines,
    engine,
    evaluation_counts,
    feeds,
    intake,
    policy,
    queries,
    request_keys,
    rows,
    store,
)
from cityops.cases.dtos import (
    ActionCommand,
    CaseCounts,
    CaseFilter,
    CaseListStamp,
    CaseOrder,
    CasePage,
    CaseView,
    DepartmentInfo,
    HistoryEntry,
    NewCase,
)
from cityops.cases.engine import PreparedAction
from cityops.cases.evaluation_types import CaseRef, SubjectCounts, Window
from cityops.cases.feeds import StepWindow
from cityops.cases.intake import PreparedCase
from cityops.cases.model import CaseSource, checked_phone
from cityops.cases.presenting import case_view, history_view
from cityops.cases.rows import CaseRecord
from cityops.cases.sla_scan import PlannedMarks, YellowTimes, plan_marks, scan_sla, write_marks
from cityops.cases.workflow.spec import ActionBody
from cityops.cases.workflow.types import CaseTypes
from cityops.geo.public import AreaChain, CoordSystem, GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import DomainError, NotFound, ValidationFailed
from cityops.kernel.request_keys import RequestKey
from cityops.kernel.text import checked_code
from cityops.org.public import DepartmentKind, DepartmentRef, OrgService
from cityops.taxonomy.public import Category, ResponsibleKind, TaxonomyService
from cityops.worktime.public import WorkingCalendar

MAX_PAGE_SIZE = 200


class CaseService:
    """platform.cases"""

    def __init__(
        self,
        *,
        geo: GeoService,
        org: OrgService,
        taxonomy: TaxonomyService,
        calendar: WorkingCalendar,
        clock: Clock,
        settings: Settings,
        case_types: CaseTypes,
    ) -> None:
        self.geo = geo
        self.org = org
        self.taxonomy = taxonomy
        self.calendar = calendar
        self.clock = clock
        self.settings = settings
        self.case_types = case_types  # which workflow each case follows (configuration)
        self._yellow = YellowTimes()  # the SLA scan's memory of when each clock turns yellow

    def expected_by(self, view: CaseView) -> datetime | None:
        """预计办结时间 as the citizen reads it (receipt, SMS, tracking page): deadlines.expected_by
        on this platform's working calendar; shown in Asia/Shanghai wherever it is shown."""
        return deadlines.expected_by(view.reported_at, view.limits, view.deadlines, self.calendar)

    # ---- intake (受理) ------------------------------------------------------------------------

    def create_case(self, uow: UnitOfWork, actor: Actor, cmd: NewCase) -> CaseView:
        """Intake in the caller's transaction (both steps of cases/intake.py at once)."""
        prepared = self.prepare_case(uow.session, actor, cmd)
        (stored,) = intake.store_cases(uow, [prepared])
        return case_view(self, stored, actor)

    def prepare_case(
        self,
        session: Session,
        actor: Actor,
        cmd: NewCase,
        *,
        request_key: RequestKey | None = None,
    ) -> PreparedCase:
        """Check a new case and build its row without writing (403, 422); the write is
        `store_cases`, for many prepared cases at once. With a `request_key` the write stores
        it, and a second write with that key stores nothing (cases/request_keys.py)."""
        policy.check_create_case(actor)
        checked_code(cmd.category_code, field="category_code")
        if cmd.area_code is not None:
            checked_code(cmd.area_code, field="area_code")
        category = self._category(session, cmd.category_code)
        chain, lon, lat = self._place(session, cmd)
        policy.check_create_case_at(actor, chain.smallest.code, chain.smallest.name)
        prepared = intake.prepared_case(
            actor,
            cmd,
            category=category,
            chain=chain,
            point=(lon, lat),
            suggested=self._responsible(session, category, chain),
            now=self.clock.now(),
            calendar=self.calendar,
        )
        return dataclasses.replace(prepared, request_key=request_key) if request_key else prepared

    def replayed(self, session: Session, actor: Actor, key: RequestKey) -> CaseView | None:
        """The case a request with this idempotency key wrote already, as it is now; None if
        the key is new; 422 idempotency_key_reused if it was sent with another request."""
        policy.check_read_cases(actor)
        stored = request_keys.find(session, actor.username, key.key)
        if stored is None:
            return None
        case_id = request_keys.replay_of(stored, key)
        return case_view(self, self._scoped_case(session, actor, case_id), actor)

    @staticmethod
    def store_cases(uow: UnitOfWork, prepared: Sequence[PreparedCase]) -> list[CaseRecord]:
        """Write prepared cases (one statement per table); the cases as stored, in order."""
        return intake.store_cases(uow, prepared)

    def present(self, prepared: PreparedCase | PreparedAction, stored: CaseRecord) -> CaseView:
        """The stored case of a prepared write as the actor who prepared it sees it."""
        return case_view(self, stored, prepared.actor)

    def _category(self, session: Session, code: str) -> Category:
        try:
            category = self.taxonomy.get_category(session, code)
        except NotFound as exc:
            raise ValidationFailed(
                f"unknown category {code!r}", code="unknown_category", category_code=code
            ) from exc
        if not category.active:
            raise ValidationFailed(
                f"category {code!r} is no longer in use", code="inactive_category"
            )
        return category

    def _place(
        self, session: Session, cmd: NewCase
    ) -> tuple[AreaChain, float | None, float | None]:
        if cmd.approximate:  # the area decides; its point is kept for the map
            if not cmd.area_code or cmd.lon is None or cmd.lat is None:
                raise ValidationFailed(
                    "an approximate place needs the area_code it stands for and its lon and lat",
                    code="incomplete_place",
                )
            try:
                chain = self.geo.chain_of(session, cmd.area_code)
            except NotFound as exc:
                raise ValidationFailed(
                    f"unknown area {cmd.area_code!r}", code="unknown_area"
                ) from exc
            lon, lat = self.geo.to_wgs84(cmd.lon, cmd.lat, self._crs(cmd.crs))
            return chain, lon, lat
        if cmd.lon is not None and cmd.lat is not None:
            crs = self._crs(cmd.crs)
            chain = self.geo.locate(session, cmd.lon, cmd.lat, crs)
            lon, lat = self.geo.to_wgs84(cmd.lon, cmd.lat, crs)
            if cmd.area_code:
                self._check_area_holds_point(session, cmd.area_code, chain)
            return chain, lon, lat
        if (cmd.lon is None) != (cmd.lat is None):
            raise ValidationFailed("give both lon and lat, or neither", code="incomplete_point")
        if cmd.area_code:
            try:
                chain = self.geo.chain_of(session, cmd.area_code)
            except NotFound as exc:
                raise ValidationFailed(
                    f"unknown area {cmd.area_code!r}", code="unknown_area"
                ) from exc
            if chain.smallest.retired:
                area = chain.smallest
                raise ValidationFailed(
                    f"area {area.code} ({area.name}) is retired: its community has real grids "
                    "now; give one of those, or the point",
                    code="retired_area",
                )
            return chain, None, None
        raise ValidationFailed(
            "say where: give lon and lat, or an area_code", code="location_required"
        )

    @staticmethod
    def _crs(value: str) -> CoordSystem:
        try:
            return CoordSystem(value)
        except ValueError as exc:
            raise ValidationFailed(
                f"crs must be wgs84 or gcj02, not {value!r}", code="invalid_crs"
            ) from exc

    def _check_area_holds_point(self, session: Session, area_code: str, chain: AreaChain) -> None:
        """Given both a point and an area, the area must be where the point lies or an area
        above it: a contradiction is refused (422), never silently resolved."""
        try:
            given = self.geo.get_area(session, area_code).code
        except NotFound as exc:
            raise ValidationFailed(f"unknown area {area_code!r}", code="unknown_area") from exc
        if given not in chain.codes:
            where = chain.smallest
            raise ValidationFailed(
                f"area_code {area_code} does not hold the point, which lies in {where.name} "
                f"({where.code}): give the area the point lies in (or one above it), or leave "
                "area_code out",
                code="area_point_mismatch",
                area_code=area_code,
                located_area_code=where.code,
            )

    def _responsible(
        self, session: Session, category: Category, chain: AreaChain | None
    ) -> DepartmentRef | None:
        """The unit the responsibility list (权责清单) names for this category at this place
        (None for a unit of the place when the place is unknown). A street-office matter at a
        place with no street office of its own (a place known only to the district, a street
        without an office) goes to the district government of the place (属地兜底)."""
        if category.responsible_kind is ResponsibleKind.department:
            if not category.department_code:
                return None
            try:
                return self.org.department_by_code(session, category.department_code)
            except NotFound:
                return None
        if chain is None:
            return None
        place = chain.smallest.code
        if category.responsible_kind is ResponsibleKind.street_office:
            office = self.org.office_for_area(session, place, DepartmentKind.street_office)
            if office is not None:
                return office
        return self.org.office_for_area(session, place, DepartmentKind.district_government)

    def responsible_department(
        self,
        session: Session,
        category_code: str,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
        *,
        area_code: str | None = None,
    ) -> DepartmentInfo | None:
        """The unit the responsibility list names for a category at a place (a point, or an
        area code), as intake would suggest it. None for an unknown or retired category, a place
        outside the city, or no unit on the list. Reference data, so no actor: smart routing
        reads it for its suggestions."""
        try:
            category = self.taxonomy.get_category(session, category_code)
        except NotFound:
            return None
        if not category.active:
            return None
        chain: AreaChain | None = None
        try:
            if lon is not None and lat is not None:
                chain = self.geo.locate(session, lon, lat, CoordSystem(crs))
            elif area_code:
                chain = self.geo.chain_of(session, area_code)
        except (ValueError, ValidationFailed, NotFound):
            chain = None
        ref = self._responsible(session, category, chain)
        return DepartmentInfo(ref.id, ref.code, ref.name) if ref is not None else None

    # ---- workflow actions ------------------------------------------------------------------

    def act(
        self,
        uow: UnitOfWork,
        actor: Actor,
        case_id: int,
        action: str,
        cmd: ActionCommand | ActionBody,
    ) -> CaseView:
        """A workflow step in the caller's transaction (both steps of cases/engine.py)."""
        prepared = self.prepare_action(uow.session, actor, case_id, action, cmd)
        (stored,) = engine.store_actions(self, uow, [prepared])
        if isinstance(stored, DomainError):
            raise stored
        return case_view(self, stored, actor)

    def prepare_action(
        self,
        session: Session,
        actor: Actor,
        case_id: int,
        action: str,
        cmd: ActionCommand | ActionBody,
        *,
        request_key: RequestKey | None = None,
    ) -> PreparedAction:
        """Check a workflow step and compute its outcome without writing (403, 404, 409, 422);
        the write is `store_actions`, for many prepared steps at once; `request_key` as at
        intake."""
        prepared = engine.prepare_action(self, session, actor, case_id, action, cmd)
        return dataclasses.replace(prepared, request_key=request_key) if request_key else prepared

    def store_actions(
        self, uow: UnitOfWork, prepared: Sequence[PreparedAction]
    ) -> list[CaseRecord | DomainError]:
        """Write prepared steps in order: each one's stored case, or the error that refused it
        (a step whose case changed since it was prepared is checked again here)."""
        return engine.store_actions(self, uow, prepared)

    # ---- reads -----------------------------------------------------------------------------

    def get_case(
        self, session: Session, actor: Actor, case_id: int, *, reveal_contact: bool = False
    ) -> CaseView:
        """A case in the actor's scope (404 outside it), the personal data in its phone and
        free text masked. `reveal_contact=True` shows them as stored to the roles that need it
        (403 for the others) and writes an audit line into the case history: pass a write
        session (uow.session) then, or the audit line is lost."""
        policy.check_read_cases(actor)
        case = self._scoped_case(session, actor, case_id)
        if reveal_contact:
            self._reveal_contact(session, actor, case)
        return case_view(self, case, actor, reveal_contact=reveal_contact)

    def list_cases(
        self,
        session: Session,
        actor: Actor,
        filters: CaseFilter,
        page: int = 1,
        size: int = 50,
        *,
        order: CaseOrder | None = None,
        stamp: CaseListStamp | None = None,
    ) -> CasePage:
        """A page of the cases in the actor's scope, in `order` (None: overdue first, then the
        nearest stage deadline). With the `list_stamp` of the same filter, its total is used
        instead of counting again."""
        policy.check_read_cases(actor)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationFailed(
                f"page must be ≥ 1 and size between 1 and {MAX_PAGE_SIZE}", code="bad_page"
            )
        found, total = queries.case_page(
            session,
            actor,
            filters,
            page,
            size,
            order=order,
            now=self.clock.now(),
            total=None if stamp is None else stamp.total,
        )
        return CasePage(
            items=[case_view(self, c, actor) for c in found], total=total, page=page, size=size
        )

    def list_stamp(self, session: Session, actor: Actor, filters: CaseFilter) -> CaseListStamp:
        """What a poll of the list compares (its total, latest step, highest id): one query."""
        policy.check_read_cases(actor)
        return queries.case_list_stamp(session, actor, filters, self.clock.now())

    def caller_cases(
        self, session: Session, actor: Actor, phone: str, limit: int = 20
    ) -> list[CaseView]:
        """Cases in the actor's scope reported from `phone` (exact number), newest first — the
        caller's earlier appeals for the hotline. Phones stay masked in the views."""
        policy.check_search_by_phone(actor)
        if not 1 <= limit <= MAX_PAGE_SIZE:
            raise ValidationFailed(f"limit must be in [1, {MAX_PAGE_SIZE}]", code="bad_limit")
        phone = checked_phone(phone) or ""
        if not phone:
            raise ValidationFailed("give the caller's phone number", code="phone_required")
        found = queries.caller_cases(session, actor, phone, limit)
        return [case_view(self, c, actor) for c in found]

    def iter_cases(self, session: Session, actor: Actor, filters: CaseFilter) -> Iterator[CaseView]:
        """Every case of the filter in list order, phones and free text masked (for exports).
        The rule is checked at once; the cases are read as the iterator is consumed."""
        policy.check_read_cases(actor)
        found = queries.iter_cases(session, actor, filters)
        return (case_view(self, c, actor) for c in found)

    def history(
        self, session: Session, actor: Actor, case_id: int, *, reveal_contact: bool = False
    ) -> list[HistoryEntry]:
        """The case's history lines, the personal data in their text masked; revealed as by
        `get_case` (audited: pass a write session then)."""
        policy.check_read_cases(actor)
        case = self._scoped_case(session, actor, case_id)
        if reveal_contact:
            self._reveal_contact(session, actor, case)
        entries = queries.history_entries(session, case_id)
        return history_view(entries, reveal_contact=reveal_contact)

    def get_cases(
        self, session: Session, actor: Actor, case_ids: Sequence[int]
    ) -> dict[int, CaseView]:
        """Case id → the case, for many at once (those outside the actor's scope or gone are
        left out): what the relay's handlers read for a pass."""
        policy.check_read_cases(actor)
        return {
            case.id: case_view(self, case, actor)
            for case in queries.scoped_cases(session, actor, case_ids)
        }

    def cases_by_number(
        self,
        session: Session,
        actor: Actor,
        numbers: Sequence[str],
        sources: Sequence[CaseSource] = (),
    ) -> dict[str, CaseView]:
        """Case number → the case, for many numbers at once (exact matches; those outside the
        actor's scope, of a source not in `sources` when given, or unknown are left out): one
        statement."""
        policy.check_read_cases(actor)
        found = feeds.cases_by_number(session, actor, numbers, sources)
        return {case.number: case_view(self, case, actor) for case in found}

    def merge_targets(
        self, session: Session, actor: Actor, seeds: CaseFilter | Sequence[int]
    ) -> dict[int, CaseView]:
        """Case id → the case, for every case that the cases of `seeds` (a filter, or ids) were
        merged into, hop by hop (合并办理): one statement however many cases and hops."""
        policy.check_read_cases(actor)
        found = feeds.merge_targets(session, actor, seeds)
        return {case.id: case_view(self, case, actor) for case in found}

    def step_window(
        self, session: Session, actor: Actor, filters: CaseFilter, start: datetime, end: datetime
    ) -> StepWindow:
        """The history lines written in [start, end] by the cases of `filters` and by the cases
        they were merged into, with every merged case among them and its merge line: two
        statements however many cases and lines (see cases/feeds.py)."""
        policy.check_read_cases(actor)
        return feeds.step_window(session, actor, filters, start, end)

    def first_attachments(
        self, session: Session, actor: Actor, case_ids: Sequence[int], actions: Sequence[str] = ()
    ) -> dict[int, str]:
        """Case id → the first attachment of its history (a stored photo's reference; only
        steps of `actions` when given), for many cases at once; cases outside the actor's scope
        or without one are left out."""
        policy.check_read_cases(actor)
        return queries.first_attachments(session, actor, case_ids, actions)

    def indicator_counts(
        self, session: Session, actor: Actor, *, group_by: str, start: datetime, end: datetime
    ) -> list[CaseCounts]:
        """Counts per department ("department"), street ("area") or district ("district") over
        the cases in the actor's scope (as the case list) reported in [start, end); a deadline
        is due when it falls before the window's end or now, whichever comes first. See
        queries.indicator_counts for the definitions."""
        policy.check_read_cases(actor)
        return queries.indicator_counts(
            session, actor, group_by=group_by, start=start, end=end, due_by=self.clock.now()
        )

    def evaluation_counts(
        self,
        session: Session,
        actor: Actor,
        *,
        kind: str,
        windows: Sequence[Window],
        decision_hours: float = 24.0,
    ) -> list[SubjectCounts]:
        """Per subject (street, department or a post's user) and period, the counts the
        performance evaluation reads, over the cases in the actor's scope; a deadline is due
        when it falls before its period's end or now. See cases/evaluation_counts.py."""
        policy.check_read_cases(actor)
        return evaluation_counts.evaluation_counts(
            session,
            actor,
            kind=kind,
            windows=windows,
            now=self.clock.now(),
            decision_hours=decision_hours,
        )

    def evaluation_cases(
        self,
        session: Session,
        actor: Actor,
        *,
        kind: str,
        code: str,
        count: str,
        window: Window,
        decision_hours: float = 24.0,
    ) -> list[CaseRef]:
        """The cases behind one count of one subject in one period (drill-down)."""
        policy.check_read_cases(actor)
        return evaluation_counts.evaluation_cases(
            session,
            actor,
            kind=kind,
            code=code,
            count=count,
            window=window,
            now=self.clock.now(),
            decision_hours=decision_hours,
        )

    def plan_sla(self, session: Session, *, pause: float = 0.0) -> list[PlannedMarks]:
        """The SLA scan's reading half: which open cases need which marks (reads only; with
        `pause`, it sleeps that long after every slice of cases it judged)."""
        return plan_marks(
            session,
            clock=self.clock,
            calendar=self.calendar,
            settings=self.settings,
            yellow=self._yellow,
            pause=pause,
        )

    def write_sla(self, uow: UnitOfWork, planned: Sequence[PlannedMarks]) -> int:
        """The SLA scan's writing half for some planned cases; returns how many marks it made
        (a case changed since it was planned is judged again here)."""
        return write_marks(uow, planned, calendar=self.calendar, settings=self.settings)

    def scan_sla(self, uow: UnitOfWork) -> int:
        """Scheduler job: marks overdue cases, emits 催办 reminders and 督办 escalations.
        Idempotent; returns how many marks it made."""
        return scan_sla(uow, clock=self.clock, calendar=self.calendar, settings=self.settings)

    def _reveal_contact(self, session: Session, actor: Actor, case: CaseRecord) -> None:
        """Refuse the roles that may not see the reporter's contact (403); for the others,
        the audit line in the case's history (no workflow change: the version stays)."""
        state = rows.state_of(case)
        policy.check_reveal_contact(actor, state)
        seq = store.update_unversioned(session, case.id, {})
        store.insert_history(
            session,
            case_id=case.id,
            seq=seq,
            action="reveal_contact",
            from_status=state.status.value,
            to_status=state.status.value,
            actor_user_id=actor.user_id,
            actor_name=actor.display_name or actor.username,
            actor_role=actor.primary_role,
            at=self.clock.now(),
            note="reporter contact shown",
        )

    def _scoped_case(self, session: Session, actor: Actor, case_id: int) -> CaseRecord:
        case = queries.scoped_case(session, actor, case_id)
        if case is None:
            raise NotFound(f"case {case_id} not found", code="case_not_found", case_id=case_id)
        return case
