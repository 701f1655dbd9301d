"""Alarm rule rows: the current version of each rule and every version saved (the tables are
store.py's), and the stored points a backtest reads. A rule is kept as its YAML mapping
(rules/yaml_io.py), so what is stored, exported and imported is one format."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from cityops.sensing import store as t
from cityops.sensing.model import Reading
from cityops.sensing.rules.public import NoData, Rule, rule_from_dict, rule_to_dict


@dataclass(frozen=True)
class StoredRule:
    rule: Rule  # its `version` and `enabled` are the row's
    updated_at: datetime
    updated_by: str


@dataclass(frozen=True)
class RuleVersion:
    version: int
    saved_at: datetime
    saved_by: str
    rule: Rule


_R = t.rules
_V = t.rule_versions


def _stored(row: object) -> StoredRule:
    body = dict(row.body)  # type: ignore[attr-defined]
    body["version"] = int(row.version)  # type: ignore[attr-defined]
    body["enabled"] = bool(row.enabled)  # type: ignore[attr-defined]
    return StoredRule(rule_from_dict(body), row.updated_at, row.updated_by)  # type: ignore[attr-defined]


def list_rules(session: Session) -> list[StoredRule]:
    return [_stored(r) for r in session.execute(select(_R).order_by(_R.c.code))]


def get_rule(session: Session, code: str) -> StoredRule | None:
    row = session.execute(select(_R).where(_R.c.code == code)).one_or_none()
    return None if row is None else _stored(row)


def save_rule(session: Session, rule: Rule, at: datetime, by: str, *, new: bool) -> None:
    """Store `rule` as its code's current version and keep the version in the history."""
    body = rule_to_dict(rule)
    values = {
        "version": rule.version,
        "enabled": rule.enabled,
        "body": body,
        "updated_at": at,
        "updated_by": by[:80],
    }
    if new:
        session.execute(insert(_R).values(code=rule.code, **values))
    else:
        session.execute(update(_R).where(_R.c.code == rule.code).values(**values))
    session.execute(
        insert(_V).values(
            rule_code=rule.code, version=rule.version, body=body, saved_at=at, saved_by=by[:80]
        )
    )


def set_enabled(session: Session, code: str, enabled: bool, at: datetime, by: str) -> None:
    session.execute(
        update(_R)
        .where(_R.c.code == code)
        .values(enabled=enabled, updated_at=at, updated_by=by[:80])
    )


def rule_versions(session: Session, code: str) -> list[RuleVersion]:
    rows = session.execute(
        select(_V).where(_V.c.rule_code == code).order_by(_V.c.version.desc(), _V.c.id.desc())
    )
    out = []
    for row in rows:
        body = dict(row.body)
        body["version"] = int(row.version)
        out.append(RuleVersion(int(row.version), row.saved_at, row.saved_by, rule_from_dict(body)))
    return out


def stored_readings(
    session: Session,
    devices: dict[int, str],
    metrics: Sequence[str] | None,
    start: datetime,
    end: datetime,
    *,
    limit: int,
) -> Iterator[Reading]:
    """The stored points of `devices` (id → code) in [start, end), sorted by time, at most
    `limit` (metrics None: every metric)."""
    p = t.points
    stmt = select(p.c.device_id, p.c.metric, p.c.ts, p.c.value).where(
        p.c.device_id.in_(list(devices)),
        p.c.ts >= int(start.timestamp() * 1000),
        p.c.ts < int(end.timestamp() * 1000),
    )
    if metrics is not None:
        stmt = stmt.where(p.c.metric.in_(list(metrics)))
    rows = session.execute(stmt.order_by(p.c.ts, p.c.device_id, p.c.metric).limit(limit))
    for row in rows:
        yield Reading(
            devices[int(row.device_id)],
            row.metric,
            datetime.fromtimestamp(row.ts / 1000, UTC),
            float(row.value),
        )


def time_dependent(rule: Rule) -> bool:
    """Whether time alone can change the rule's state (else only readings can)."""

    def no_data(node: object) -> bool:
        children = getattr(node, "conditions", None)
        if children is not None:
            return any(no_data(c) for c in children)
        return isinstance(node, NoData)

    return (
        rule.for_duration > timedelta(0)
        or rule.clear_for > timedelta(0)
        or no_data(rule.condition)
        or (rule.clear_condition is not None and no_data(rule.clear_condition))
    )
