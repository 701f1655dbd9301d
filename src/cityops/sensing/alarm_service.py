"""Alarm and rule use cases (告警, 告警规则): list, read with history, acknowledge, clear, assign,
comment; rules saved as versions, switched on and off, exported and imported as YAML, and
backtested over stored points before they are switched on. Each use case checks its rule in
policy.py first; an alarm is read and acted on only within the actor's scope (scoping.py:
the case scope's rules applied to the alarm's device), and outside it is not found (404).
What the case bridge needs (`case_tickets`, `link_case`, `case_statuses`) takes no actor: it
is called by the system, never through the API."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock, check_day_range
from cityops.kernel.errors import Conflict, NotFound, ValidationFailed
from cityops.kernel.text import clean_text
from cityops.sensing import alarm_store, alarm_tickets, devices, policy, rule_store
from cityops.sensing.alarm_persist import to_book
from cityops.sensing.alarm_runner import AlarmRunner
from cityops.sensing.alarm_store import AlarmFilter, AlarmLine, AlarmRecord
from cityops.sensing.alarm_tickets import CaseTicket
from cityops.sensing.alarms import public as book_api
from cityops.sensing.events import AlarmAcknowledged, AlarmCaseOpened, AlarmCleared
from cityops.sensing.rule_store import RuleVersion, StoredRule
from cityops.sensing.rules.public import (
    BacktestResult,
    NoData,
    Rule,
    RuleError,
    backtest,
    dump_rules,
    load_rules,
    rule_from_dict,
    rule_to_dict,
)
from cityops.sensing.scoping import alarm_scope

MAX_BACKTEST_DAYS = 92
MAX_BACKTEST_POINTS = 2_000_000
MAX_BACKTEST_DEVICES = 5000


@dataclass(frozen=True)
class AlarmDetail:
    alarm: AlarmRecord
    history: list[AlarmLine]


class AlarmService:
    def __init__(self, *, clock: Clock, runner: AlarmRunner) -> None:
        self._clock = clock
        self.runner = runner

    # -- alarms ----------------------------------------------------------------------------
    def list_alarms(
        self,
        session: Session,
        actor: Actor,
        filters: AlarmFilter,
        *,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[AlarmRecord], int]:
        """A page of the alarms in the actor's scope (as the counts per severity the alarm
        board shows are made of it)."""
        policy.may_view_alarms(actor)
        return alarm_store.list_alarms(
            session, filters, scope=alarm_scope(actor), offset=offset, limit=limit
        )

    def get_alarm(self, session: Session, actor: Actor, alarm_id: int) -> AlarmDetail:
        policy.may_view_alarms(actor)
        alarm = self._scoped_alarm(session, actor, alarm_id)
        return AlarmDetail(alarm, alarm_store.alarm_lines(session, alarm_id))

    def acknowledge(self, uow: UnitOfWork, actor: Actor, alarm_id: int) -> AlarmRecord:
        """确认: a second acknowledgement changes nothing."""
        policy.may_handle_alarms(actor)
        alarm = self._scoped_alarm(uow.session, actor, alarm_id)
        if alarm.acked:
            return alarm
        now = self._clock.now()
        alarm_store.update_alarm(
            uow.session,
            alarm_id,
            {"acked": True, "acked_by": actor.username[:80], "acked_at": now},
        )
        self._line(uow, alarm_id, now, "acknowledged", actor)
        uow.emit(AlarmAcknowledged(occurred_at=now, **_event_fields(alarm)))
        return self._alarm(uow.session, alarm_id)

    def clear_alarm(
        self, uow: UnitOfWork, actor: Actor, alarm_id: int, note: str = ""
    ) -> AlarmRecord:
        """Clear by hand (人工恢复): the alarm stops being active; the rule raises a new one
        only when its condition clears and comes back."""
        policy.may_handle_alarms(actor)
        alarm = self._scoped_alarm(uow.session, actor, alarm_id)
        if not alarm.active:
            raise Conflict(f"alarm {alarm_id} is cleared already", code="alarm_not_active")
        now = self._clock.now()
        alarm_store.update_alarm(
            uow.session, alarm_id, {"active": False, "cleared_at": now, "flapping": False}
        )
        self._line(uow, alarm_id, now, "cleared", actor, _note(note))
        uow.emit(AlarmCleared(occurred_at=now, manual=True, **_event_fields(alarm)))
        return self._alarm(uow.session, alarm_id)

    def assign(
        self, uow: UnitOfWork, actor: Actor, alarm_id: int, assignee: str | None
    ) -> AlarmRecord:
        policy.may_handle_alarms(actor)
        alarm = self._scoped_alarm(uow.session, actor, alarm_id)
        who = clean_text(assignee or "").strip()
        if len(who) > 80:
            raise ValidationFailed("an assignee is at most 80 characters", code="invalid_assignee")
        now = self._clock.now()
        alarm_store.update_alarm(uow.session, alarm.id, {"assignee": who})
        self._line(uow, alarm_id, now, "assigned", actor, who or "取消指派")
        return self._alarm(uow.session, alarm_id)

    def comment(self, uow: UnitOfWork, actor: Actor, alarm_id: int, text: str) -> AlarmLine:
        policy.may_handle_alarms(actor)
        alarm = self._scoped_alarm(uow.session, actor, alarm_id)
        held = alarm_store.count_lines(uow.session, alarm_id, "commented")
        now = self._clock.now()
        comments = tuple(book_api.Comment(now, "", "x") for _ in range(held))
        checked = replace(to_book(alarm), comments=comments).commented(
            actor.username, clean_text(text), now
        )
        note = checked.comments[-1].text
        self._line(uow, alarm_id, now, "commented", actor, note)
        return alarm_store.alarm_lines(uow.session, alarm_id)[-1]

    def _alarm(self, session: Session, alarm_id: int) -> AlarmRecord:
        alarm = alarm_store.get_alarm(session, alarm_id)
        if alarm is None:
            raise NotFound(f"no alarm {alarm_id}", code="alarm_not_found")
        return alarm

    def _scoped_alarm(self, session: Session, actor: Actor, alarm_id: int) -> AlarmRecord:
        """The alarm if it is in the actor's scope; outside it, as one that does not exist."""
        alarm = alarm_store.get_alarm(session, alarm_id, alarm_scope(actor))
        if alarm is None:
            raise NotFound(f"no alarm {alarm_id}", code="alarm_not_found")
        return alarm

    def _line(
        self,
        uow: UnitOfWork,
        alarm_id: int,
        at: datetime,
        action: str,
        actor: Actor,
        note: str = "",
    ) -> None:
        alarm_store.add_lines(
            uow.session,
            [
                {
                    "alarm_id": alarm_id,
                    "at": at,
                    "action": action,
                    "actor": actor.username[:80],
                    "note": note[:1000],
                }
            ],
        )

    # -- rules -----------------------------------------------------------------------------
    def list_rules(self, session: Session, actor: Actor) -> list[StoredRule]:
        policy.may_view_alarms(actor)
        return rule_store.list_rules(session)

    def get_rule(
        self, session: Session, actor: Actor, code: str
    ) -> tuple[StoredRule, list[RuleVersion]]:
        policy.may_view_alarms(actor)
        return self._rule(session, code), rule_store.rule_versions(session, code)

    def save_rule(
        self, uow: UnitOfWork, actor: Actor, body: dict[str, Any], *, expected: int | None = None
    ) -> StoredRule:
        """Store the rule as its next version (1 for a new code). `expected`: the version the
        editor saw; another is a conflict (someone saved meanwhile)."""
        policy.may_edit_rules(actor)
        rule = rule_from_dict({**body, "version": 1})
        held = rule_store.get_rule(uow.session, rule.code)
        current = held.rule.version if held else 0
        if expected is not None and expected != current:
            raise Conflict(
                f"rule {rule.code} is at version {current}, not {expected}",
                code="stale_rule_version",
            )
        saved = replace(rule, version=current + 1)
        rule_store.save_rule(uow.session, saved, self._clock.now(), actor.username, new=not held)
        self.runner.rules_changed()
        return self._rule(uow.session, rule.code)

    def set_rule_enabled(
        self, uow: UnitOfWork, actor: Actor, code: str, enabled: bool
    ) -> StoredRule:
        policy.may_edit_rules(actor)
        self._rule(uow.session, code)
        rule_store.set_enabled(uow.session, code, enabled, self._clock.now(), actor.username)
        self.runner.rules_changed()
        return self._rule(uow.session, code)

    def export_rules(self, session: Session, actor: Actor) -> str:
        policy.may_view_alarms(actor)
        return dump_rules(s.rule for s in rule_store.list_rules(session))

    def import_rules(self, uow: UnitOfWork, actor: Actor, text: str) -> list[StoredRule]:
        """Every rule of the document whose content differs from its stored one is saved as
        the next version; the versions the document gives are ignored. Nothing is stored if
        one rule is refused."""
        policy.may_edit_rules(actor)
        rules = load_rules(text)
        codes = [r.code for r in rules]
        if len(set(codes)) != len(codes):
            raise RuleError("rules", "a rule code is given twice")
        saved = []
        for rule in rules:
            held = rule_store.get_rule(uow.session, rule.code)
            if held is not None and _same(held.rule, rule):
                continue
            version = (held.rule.version if held else 0) + 1
            rule_store.save_rule(
                uow.session,
                replace(rule, version=version),
                self._clock.now(),
                actor.username,
                new=held is None,
            )
            saved.append(self._rule(uow.session, rule.code))
        self.runner.rules_changed()
        return saved

    def backtest_rule(
        self,
        session: Session,
        actor: Actor,
        code: str,
        start: datetime,
        end: datetime,
        device_codes: list[str] | None = None,
    ) -> BacktestResult:
        """What the stored rule (on or off) would have raised over [start, end) on the stored
        points of the devices in its scope (or those named)."""
        policy.may_edit_rules(actor)
        check_day_range(start, "start")
        check_day_range(end, "end")
        rule = self._rule(session, code).rule
        if start.tzinfo is None or end.tzinfo is None:
            raise ValidationFailed(
                "a backtest period's start and end carry a time zone", code="bad_backtest_period"
            )
        if end <= start or end - start > timedelta(days=MAX_BACKTEST_DAYS):
            raise ValidationFailed(
                "a backtest period ends after it starts and spans at most "
                f"{MAX_BACKTEST_DAYS} days",
                code="bad_backtest_period",
            )
        chosen = _in_scope(session, rule, device_codes)
        kinds = {k.code: k for k in devices.load_types(session)}
        intervals = {}
        for device in chosen:
            kind = kinds.get(device.type_code)
            if kind is not None:
                intervals.update({m.key: m.interval for m in kind.metrics})
        readings = rule_store.stored_readings(
            session,
            {d.id: d.code for d in chosen},
            None if _reads_any(rule) else list(rule.metrics),
            start.astimezone(UTC),
            end.astimezone(UTC),
            limit=MAX_BACKTEST_POINTS,
        )
        return backtest(rule, readings, until=end.astimezone(UTC), intervals=intervals or None)

    def _rule(self, session: Session, code: str) -> StoredRule:
        held = rule_store.get_rule(session, code)
        if held is None:
            raise NotFound(f"no alarm rule {code}", code="alarm_rule_not_found")
        return held

    # -- the case bridge (system calls) ----------------------------------------------------
    def case_tickets(
        self,
        session: Session,
        *,
        maintenance_category: str,
        only: list[int] | None = None,
    ) -> list[CaseTicket]:
        """Active alarms without a case whose case is due now (decided by the rule's case
        policy; device faults: a maintenance case for the device's O&M unit)."""
        return alarm_tickets.due_tickets(
            session, self._clock.now(), maintenance_category=maintenance_category, only=only
        )

    def link_case(self, uow: UnitOfWork, alarm_id: int, case_id: int, status: str) -> bool:
        """Record the case an alarm opened (False: it had one already)."""
        if not alarm_store.link_case(uow.session, alarm_id, case_id, status):
            return False
        alarm = self._alarm(uow.session, alarm_id)
        now = self._clock.now()
        alarm_store.add_lines(
            uow.session,
            [
                {
                    "alarm_id": alarm_id,
                    "at": now,
                    "action": "case_opened",
                    "note": f"已转案件 #{case_id}",
                }
            ],
        )
        uow.emit(AlarmCaseOpened(occurred_at=now, case_id=case_id, **_event_fields(alarm)))
        return True

    def case_statuses(self, uow: UnitOfWork, statuses: dict[int, str]) -> list[int]:
        """Show each case's status on the alarms that opened it; a closed case marks its
        alarms handled (a history line)."""
        changed = alarm_store.set_case_statuses(uow.session, statuses)
        closed = [
            a for a in alarm_store.get_alarms(uow.session, changed) if a.case_status == "closed"
        ]
        now = self._clock.now()
        alarm_store.add_lines(
            uow.session,
            [
                {
                    "alarm_id": a.id,
                    "at": now,
                    "action": "handled",
                    "note": f"案件 #{a.case_id} 已结案",
                }
                for a in closed
            ],
        )
        return changed


def _event_fields(alarm: AlarmRecord) -> dict[str, Any]:
    return {
        "alarm_id": alarm.id,
        "kind": alarm.kind,
        "severity": alarm.severity,
        "rule_code": alarm.rule_code,
        "device_code": alarm.device_code,
        "area_code": alarm.area_code,
    }


def _note(text: str) -> str:
    note = clean_text(text).strip()
    if len(note) > 1000:
        raise ValidationFailed("a note is at most 1,000 characters", code="invalid_comment")
    return note


def _same(a: Rule, b: Rule) -> bool:
    return rule_to_dict(replace(a, version=1)) == rule_to_dict(replace(b, version=1))


def _reads_any(rule: Rule) -> bool:
    """Whether the rule reads every metric (a no-data condition on any metric)."""

    def walk(node: object) -> bool:
        children = getattr(node, "conditions", None)
        if children is not None:
            return any(walk(c) for c in children)
        return isinstance(node, NoData) and node.metric is None

    conditions = (rule.condition, rule.clear_condition)
    return not rule.metrics or any(walk(c) for c in conditions if c is not None)


def _in_scope(
    session: Session, rule: Rule, codes: list[str] | None
) -> list[alarm_store.DeviceFacts]:
    if codes:
        found = alarm_store.facts_by_code(session, codes)
        unknown = sorted(set(codes) - set(found))
        if unknown:
            raise ValidationFailed(f"no device {unknown[0]}", code="device_not_found")
        return list(found.values())
    scope = rule.scope
    if scope.device_code is not None:
        return list(alarm_store.facts_by_code(session, [scope.device_code]).values())
    ids: list[int] = []
    while len(ids) < MAX_BACKTEST_DEVICES:
        page, total = devices.list_devices(
            session,
            type_code=scope.device_type,
            area_prefix=scope.area_prefix,
            offset=len(ids),
            limit=500,
        )
        ids += [d.id for d in page]
        if not page or len(ids) >= total:
            break
    return list(alarm_store.facts_by_id(session, ids).values())
