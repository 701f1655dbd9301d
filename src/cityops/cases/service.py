"""Case use cases (platform.cases): intake, workflow actions, scoped reads, the SLA scan and the
indicator counts. Every method that takes an actor checks its rule in policy.py first."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import RowMapping
from sqlalchemy.orm import Session

from cityops.cases import policy, queries, rows, store
from cityops.cases.actions import action_events, action_input, history_data
from cityops.cases.calendar import WorkingCalendar
from cityops.cases.events import CaseReported
from cityops.cases.lifecycle import apply, initial_deadlines
from cityops.cases.model import (
    TRANSITIONS,
    CaseAction,
    CaseState,
    CaseStatus,
    check_transition,
    checked_phone,
    checked_text,
)
from cityops.cases.presenting import case_view, history_entry
from cityops.cases.sla_scan import scan_sla
from cityops.cases.taxonomy import Category, ResponsibleKind, Stage, Urgency
from cityops.cases.taxonomy_service import TaxonomyService
from cityops.cases.views import (
    ActionCommand,
    CaseCounts,
    CaseFilter,
    CasePage,
    CaseView,
    DepartmentInfo,
    HistoryEntry,
    NewCase,
)
from cityops.geo.public import AreaChain, AreaLevel, CoordSystem, GeoService
from cityops.infra.outbox import UnitOfWork
from cityops.infra.settings import Settings
from cityops.kernel.actor import Actor, Role
from cityops.kernel.clock import SHANGHAI, Clock
from cityops.kernel.errors import NotFound, StaleVersion, ValidationFailed
from cityops.kernel.ids import new_tracking_code
from cityops.org.public import DepartmentKind, DepartmentRef, OrgService

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
    ) -> None:
        self.geo = geo
        self.org = org
        self.taxonomy = taxonomy
        self.calendar = calendar
        self.clock = clock
        self.settings = settings

    # ---- intake (受理) ------------------------------------------------------------------------

    def create_case(self, uow: UnitOfWork, actor: Actor, cmd: NewCase) -> CaseView:
        policy.check_create_case(actor)
        session = uow.session
        title, description = checked_text(cmd.title, cmd.description)
        phone = checked_phone(cmd.reporter_phone)
        category = self._category(session, cmd.category_code)
        chain, lon, lat = self._place(session, cmd)
        suggested = self._responsible(session, category, chain)
        now = self.clock.now()
        deadlines = initial_deadlines(now, category.limits, self.calendar)
        urgency = cmd.urgency or category.urgency
        area = {level: chain.at(level) for level in AreaLevel}
        values: dict[str, Any] = {
            "tracking_code": new_tracking_code(),
            "version": 1,
            "history_seq": 1,
            "source": cmd.source.value,
            "title": title,
            "description": description,
            "category_code": category.code,
            "category_name": category.name,
            "kind": category.kind.value,
            "urgency": Urgency(urgency).value,
            "status": CaseStatus.reported.value,
            "lon": lon,
            "lat": lat,
            "address": (cmd.address or "").strip() or None,
            "area_code": chain.smallest.code,
            "reporter_name": (cmd.reporter_name or "").strip() or None,
            "reporter_phone": phone,
            "reporter_user_id": cmd.reporter_user_id,
            "created_by_user_id": actor.user_id,
            "created_by_name": actor.username,
            "suggested_department_id": suggested.id if suggested else None,
            "suggested_department_code": suggested.code if suggested else None,
            "suggested_department_name": suggested.name if suggested else None,
            "limits": rows.limits_to_json(category.limits),
            "reported_at": now,
            "updated_at": now,
            "stage_started_at": now,
        }
        for level in (AreaLevel.district, AreaLevel.street, AreaLevel.community, AreaLevel.grid):
            ref = area[level]
            values[f"{level.value}_code"] = ref.code if ref else None
            values[f"{level.value}_name"] = ref.name if ref else None
        initial = CaseState(
            status=CaseStatus.reported,
            source=cmd.source,
            reported_at=now,
            limits=category.limits,
            deadlines=deadlines,
            stage=Stage.register,
            stage_started_at=now,
            stage_deadline=deadlines.get(Stage.register),
        )
        values.update(rows.state_values(initial))
        case_id = store.insert_case(session, values)
        number = f"C{now.astimezone(SHANGHAI):%Y%m%d}{case_id:06d}"
        stored = store.set_number(session, case_id, number)
        store.insert_history(
            session,
            case_id=case_id,
            seq=1,
            action="report",
            from_status=None,
            to_status=CaseStatus.reported.value,
            actor_user_id=actor.user_id,
            actor_name=actor.display_name or actor.username,
            actor_role=actor.primary_role,
            at=now,
            note=description[:500],
            data={"source": cmd.source.value, "category_code": category.code},
            attachments=cmd.photos,
        )
        uow.emit(
            CaseReported(
                occurred_at=now,
                actor=actor.username,
                actor_role=actor.primary_role,
                case_id=case_id,
                case_number=number,
                status=CaseStatus.reported.value,
                source=cmd.source.value,
                category_code=category.code,
                area_code=chain.smallest.code,
                urgency=values["urgency"],
                suggested_department_code=suggested.code if suggested else None,
            )
        )
        return case_view(self, stored, actor)

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
        if cmd.lon is not None and cmd.lat is not None:
            try:
                crs = CoordSystem(cmd.crs)
            except ValueError as exc:
                raise ValidationFailed(
                    f"crs must be wgs84 or gcj02, not {cmd.crs!r}", code="invalid_crs"
                ) from exc
            chain = self.geo.locate(session, cmd.lon, cmd.lat, crs)
            lon, lat = self.geo.to_wgs84(cmd.lon, cmd.lat, crs)
            return chain, lon, lat
        if (cmd.lon is None) != (cmd.lat is None):
            raise ValidationFailed("give both lon and lat, or neither", code="incomplete_point")
        if cmd.area_code:
            try:
                return self.geo.chain_of(session, cmd.area_code), None, None
            except NotFound as exc:
                raise ValidationFailed(
                    f"unknown area {cmd.area_code!r}", code="unknown_area"
                ) from exc
        raise ValidationFailed(
            "say where: give lon and lat, or an area_code", code="location_required"
        )

    def _responsible(
        self, session: Session, category: Category, chain: AreaChain | None
    ) -> DepartmentRef | None:
        """The unit the responsibility list (权责清单) names for this category at this place
        (None for a unit of the place when the place is unknown)."""
        if category.responsible_kind is ResponsibleKind.department:
            if not category.department_code:
                return None
            try:
                return self.org.department_by_code(session, category.department_code)
            except NotFound:
                return None
        if chain is None:
            return None
        kind = (
            DepartmentKind.street_office
            if category.responsible_kind is ResponsibleKind.street_office
            else DepartmentKind.district_government
        )
        return self.org.office_for_area(session, chain.smallest.code, kind)

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
        self, uow: UnitOfWork, actor: Actor, case_id: int, action: CaseAction, cmd: ActionCommand
    ) -> CaseView:
        policy.check_action(actor, action)
        session = uow.session
        row = self._scoped_row(session, actor, case_id)
        state = rows.state_from_row(row)
        policy.check_action_on(actor, action, state)
        if row["version"] != cmd.version:
            raise StaleVersion(
                f"case {case_id} was changed by someone else: you sent version {cmd.version}, "
                f"the current version is {row['version']}; reload it and try again",
                case_id=case_id,
                expected_version=cmd.version,
                current_version=row["version"],
            )
        check_transition(state, action)
        ctx = action_input(self, session, actor, row, action, cmd)
        inp = ctx.inp
        now = self.clock.now()
        after = apply(state, action, inp, now=now, calendar=self.calendar)
        values = rows.state_values(after)
        values["updated_at"] = now
        stored = store.update_versioned(session, case_id, cmd.version, values)
        seq = int(stored["history_seq"])
        extension_id: int | None = None
        if action is CaseAction.dispatch and after.department_id is not None:
            store.add_assignment(session, case_id, after.department_id, now)
        elif action is CaseAction.request_extension and inp.extension is not None:
            extension_id = store.insert_extension(
                session,
                case_id=case_id,
                requested_by=actor.username,
                at=now,
                limit=inp.extension,
                reason=cmd.reason or "",
            )
        elif action in (CaseAction.approve_extension, CaseAction.deny_extension):
            extension_id = store.decide_extension(
                session,
                case_id=case_id,
                approved=action is CaseAction.approve_extension,
                decided_by=actor.username,
                at=now,
            )
        role = acting_role(actor, action)
        store.insert_history(
            session,
            case_id=case_id,
            seq=seq,
            action=action.value,
            from_status=state.status.value,
            to_status=after.status.value,
            actor_user_id=actor.user_id,
            actor_name=actor.display_name or actor.username,
            actor_role=role,
            at=now,
            note=(cmd.note or cmd.reason or "").strip(),
            data=history_data(action, cmd, state, after, ctx, extension_id),
            attachments=cmd.photos,
        )
        for event in action_events(
            action,
            cmd,
            row,
            state,
            after,
            ctx,
            now=now,
            actor=actor,
            role=role,
            extension_id=extension_id,
        ):
            uow.emit(event)
        return case_view(self, stored, actor)

    # ---- reads -----------------------------------------------------------------------------

    def get_case(
        self, session: Session, actor: Actor, case_id: int, *, reveal_contact: bool = False
    ) -> CaseView:
        """A case in the actor's scope (404 outside it). `reveal_contact=True` shows the
        reporter's phone to the roles that need it and writes an audit line into the case
        history: pass a write session (uow.session) then, or the audit line is lost."""
        policy.check_read_cases(actor)
        row = self._scoped_row(session, actor, case_id)
        if not reveal_contact:
            return case_view(self, row, actor)
        state = rows.state_from_row(row)
        policy.check_reveal_contact(actor, state)
        now = self.clock.now()
        seq = store.update_unversioned(session, case_id, {})
        store.insert_history(
            session,
            case_id=case_id,
            seq=seq,
            action="reveal_contact",
            from_status=state.status.value,
            to_status=state.status.value,
            actor_user_id=actor.user_id,
            actor_name=actor.display_name or actor.username,
            actor_role=actor.primary_role,
            at=now,
            note="reporter contact shown",
        )
        return case_view(self, row, actor, reveal_contact=True)

    def list_cases(
        self, session: Session, actor: Actor, filters: CaseFilter, page: int = 1, size: int = 50
    ) -> CasePage:
        policy.check_read_cases(actor)
        if page < 1 or not 1 <= size <= MAX_PAGE_SIZE:
            raise ValidationFailed(
                f"page must be ≥ 1 and size between 1 and {MAX_PAGE_SIZE}", code="bad_page"
            )
        rows, total = queries.page_rows(session, actor, filters, page, size)
        return CasePage(
            items=[case_view(self, r, actor) for r in rows], total=total, page=page, size=size
        )

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
        found = queries.caller_rows(session, actor, phone, limit)
        return [case_view(self, r, actor) for r in found]

    def iter_cases(self, session: Session, actor: Actor, filters: CaseFilter) -> Iterator[CaseView]:
        """Every case of the filter in list order, phones masked (for exports). The rule is
        checked at once; the rows are read as the iterator is consumed."""
        policy.check_read_cases(actor)
        rows = queries.iter_rows(session, actor, filters)
        return (case_view(self, row, actor) for row in rows)

    def history(self, session: Session, actor: Actor, case_id: int) -> list[HistoryEntry]:
        policy.check_read_cases(actor)
        self._scoped_row(session, actor, case_id)
        return [history_entry(r) for r in queries.history_rows(session, case_id)]

    def indicator_counts(
        self, session: Session, *, group_by: str, start: datetime, end: datetime
    ) -> list[CaseCounts]:
        """Counts per department ("department"), street ("area") or district ("district") over
        cases reported in [start, end); see queries.indicator_counts for the definitions."""
        return queries.indicator_counts(session, group_by=group_by, start=start, end=end)

    def scan_sla(self, uow: UnitOfWork) -> int:
        """Scheduler job: marks overdue cases, emits 催办 reminders and 督办 escalations.
        Idempotent; returns how many marks it made."""
        return scan_sla(uow, clock=self.clock, calendar=self.calendar, settings=self.settings)

    def _scoped_row(self, session: Session, actor: Actor, case_id: int) -> RowMapping:
        row = queries.scoped_row(session, actor, case_id)
        if row is None:
            raise NotFound(f"case {case_id} not found", code="case_not_found", case_id=case_id)
        return row


def acting_role(actor: Actor, action: CaseAction) -> str:
    """The role under which the actor takes `action` (the first of theirs the table allows)."""
    roles = TRANSITIONS[action].roles
    for role in Role:
        if role in roles and role in actor.roles:
            return role.value
    return actor.primary_role
