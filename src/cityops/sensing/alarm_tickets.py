"""The cases alarms ask for (告警转案件): which active alarms without a case are due one now, and
the case's text — the alarm's link, values and, as its chart snapshot, the last readings of the
rule's metrics. Read by the alarm → case bridge (alarm_cases) through AlarmService."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.kernel.clock import SHANGHAI, to_local
from cityops.sensing import alarm_store, rule_store
from cityops.sensing.alarm_persist import to_book
from cityops.sensing.alarm_store import AlarmRecord
from cityops.sensing.alarms import public as book_api
from cityops.sensing.anomaly_alarms import FAULT_RULE_CODES
from cityops.sensing.anomaly_alarms import RULES as ANOMALY_RULES
from cityops.sensing.rules.public import DeviceFault, Severity

SNAPSHOT_POINTS = 12  # the last values of each metric a case carries (its chart snapshot)
FAULTS = frozenset(f.value for f in DeviceFault)
SEVERITIES = frozenset(s.value for s in Severity)


@dataclass(frozen=True)
class CaseTicket:
    """An alarm whose case is due, with what the case needs: where, what, the link."""

    alarm: AlarmRecord
    decision: book_api.CaseDecision
    lon: float | None
    lat: float | None
    title: str
    description: str


def due_tickets(
    session: Session,
    now: datetime,
    *,
    maintenance_category: str,
    only: list[int] | None = None,
) -> list[CaseTicket]:
    """Active alarms without a case (of `only`, or all) whose case is due at `now`."""
    rules = {s.rule.code: s.rule for s in rule_store.list_rules(session)}
    asking = [c for c, r in rules.items() if r.case.open_case or r.fault is not None]
    asking += FAULT_RULE_CODES  # a stuck value found by the anomaly detectors is a fault too
    rules.update({r.code: r for r in ANOMALY_RULES.values()})
    found = (
        alarm_store.get_alarms(session, only)
        if only is not None
        else alarm_store.active_without_case(session, asking)
    )
    found = [a for a in found if a.active and a.case_id is None]
    wanted = {a.device_id for a in found if a.device_id is not None}
    member_codes = {a.members[0] for a in found if a.device_id is None and a.members}
    by_id = alarm_store.facts_by_id(session, list(wanted))
    by_code = alarm_store.facts_by_code(session, sorted(member_codes))
    out = []
    for alarm in found:
        rule = rules.get(alarm.rule_code)
        device = (
            by_id.get(alarm.device_id)
            if alarm.device_id is not None
            else (by_code.get(alarm.members[0]) if alarm.members else None)
        )
        decision = book_api.decide_case(
            to_book(alarm),
            rule.case if rule is not None else None,
            om_unit_code=(device.om_department or None) if device else None,
            maintenance_category=maintenance_category,
        )
        if not book_api.case_due(decision, to_book(alarm), now):
            continue
        snapshot = ""
        if device is not None and alarm.kind == "rule" and rule is not None:
            snapshot = _snapshot(session, device.id, rule.metrics, alarm.last_at)
        out.append(
            CaseTicket(
                alarm=alarm,
                decision=decision,
                lon=device.lon if device else None,
                lat=device.lat if device else None,
                title=_case_title(alarm, decision),
                description=_case_text(alarm, decision, snapshot),
            )
        )
    return out


def _snapshot(session: Session, device_id: int, metrics: tuple[str, ...], until: datetime) -> str:
    points = alarm_store.recent_points(
        session,
        device_id,
        list(metrics[:3]),
        until_ms=int(until.timestamp() * 1000),
        limit=SNAPSHOT_POINTS,
    )
    lines = []
    for metric, series in points.items():
        shown = "，".join(
            f"{datetime.fromtimestamp(ts / 1000, SHANGHAI).strftime('%H:%M')} {value:g}"
            for ts, value in series
        )
        lines.append(f"{metric}：{shown}")
    return "\n".join(lines)


def _case_title(alarm: AlarmRecord, decision: book_api.CaseDecision) -> str:
    if decision.kind is book_api.CaseKind.maintenance:
        if not alarm.device_code:  # a group: its text says where and how many
            return f"设备故障：{alarm.title}"[:200]
        fault = DeviceFault(alarm.fault).label if alarm.fault in FAULTS else alarm.kind
        return f"设备故障 {alarm.device_code}：{fault}"[:200]
    return f"感知告警 {alarm.device_code or alarm.area_code}：{alarm.title}"[:200]


def _case_text(alarm: AlarmRecord, decision: book_api.CaseDecision, snapshot: str) -> str:
    first = to_local(alarm.first_at).isoformat(sep=" ")
    parts = [
        f"告警 #{alarm.id}（/api/v1/alarms/{alarm.id}）：{alarm.title}",
        f"级别：{_severity(alarm.severity)}；首次发生：{first}；次数：{alarm.count}",
        decision.reason,
    ]
    if alarm.values:
        parts.append("数值：" + "，".join(f"{k}={v:g}" for k, v in sorted(alarm.values.items())))
    if alarm.members:
        shown = "、".join(alarm.members[:50])
        more = f" …（另 {len(alarm.members) - 50} 台）" if len(alarm.members) > 50 else ""
        parts.append(f"设备（共 {len(alarm.members)} 台）：{shown}{more}")
    if snapshot:
        parts.append("最近数据：\n" + snapshot)
    return "\n".join(parts)[:4900]


def _severity(value: str) -> str:
    return Severity(value).label if value in SEVERITIES else value
