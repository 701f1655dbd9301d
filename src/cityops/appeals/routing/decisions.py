"""Routing decisions and dispatcher corrections in the database (the model files are store.py's):
one decision per case, made after its intake committed, with the suggestions, their
probabilities and explanations; one correction per person's dispatch that disagreed with the
router, which becomes training data. Tables never leave this module."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    insert,
    select,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from cityops.appeals.routing.dispatch_rule import RouteSuggestion, RoutingOutcome, RoutingReason
from cityops.appeals.routing.place import PlaceNote, Ring
from cityops.infra.db import UTCDateTime, metadata

_ID = BigInteger().with_variant(Integer, "sqlite")

routing_decisions = Table(
    "routing_decisions",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, unique=True),
    Column("source", String(16), nullable=False),
    Column("model_version", String(80), nullable=False),
    Column("suggestions", JSON, nullable=False),  # [{label, probability, category_code, …}]
    Column("category_code", String(16), nullable=True),  # the top suggestion's category
    Column("confidence", Float, nullable=False),  # the top probability
    Column("threshold", Float, nullable=False),
    Column("department_code", String(40), nullable=True),  # where it went or would go
    Column("department_name", String(100), nullable=True),
    Column("outcome", String(16), nullable=False),  # auto_dispatched | queued | skipped
    Column("reason", String(80), nullable=False),
    Column("decided_at", UTCDateTime(), nullable=False),
    Column("correlation_id", String(64), nullable=True),  # the request the chain began with
    Column("causation_id", String(64), nullable=True),  # the CaseReported decided on
)

routing_corrections = Table(
    "routing_corrections",
    metadata,
    Column("id", _ID, primary_key=True, autoincrement=True),
    Column("case_id", _ID, ForeignKey("cases.id"), nullable=False, index=True),
    Column("event_id", String(32), nullable=False, unique=True),  # the CaseDispatched event
    Column("text", Text, nullable=False),
    Column("predicted_label", String(32), nullable=False),
    Column("predicted_department_code", String(40), nullable=True),
    Column("corrected_label", String(32), nullable=True),  # None: the choice names no label
    Column("corrected_category_code", String(16), nullable=True),
    Column("department_code", String(40), nullable=False),
    Column("department_name", String(100), nullable=True),
    Column("corrected_by", String(64), nullable=False),
    Column("corrected_at", UTCDateTime(), nullable=False, index=True),
)


@dataclass(frozen=True)
class RoutingDecision:
    case_id: int
    source: str
    model_version: str
    suggestions: tuple[RouteSuggestion, ...]
    category_code: str | None
    confidence: float
    threshold: float
    department_code: str | None
    department_name: str | None
    outcome: RoutingOutcome
    reason: RoutingReason | str
    decided_at: datetime
    correlation_id: str | None = None  # the request the appeal came in with
    causation_id: str | None = None  # the CaseReported event decided on


@dataclass(frozen=True)
class RoutingCorrection:
    case_id: int
    event_id: str
    text: str
    predicted_label: str
    predicted_department_code: str | None
    corrected_label: str | None
    corrected_category_code: str | None
    department_code: str
    department_name: str | None
    corrected_by: str
    corrected_at: datetime


def suggestion_to_json(s: RouteSuggestion) -> dict[str, Any]:
    return {
        "label": s.label,
        "probability": s.probability,
        "category_code": s.category_code,
        "category_name": s.category_name,
        "department_code": s.department_code,
        "department_name": s.department_name,
        "top_words": [[w, weight] for w, weight in s.top_words],
        "leaf": s.leaf,
        "label_probability": s.label_probability,
        "keywords": list(s.keywords),
        "text_probability": s.text_probability,
        "place": (
            None
            if s.place is None
            else {
                "ring": s.place.ring.value,
                "days": s.place.days,
                "count": s.place.count,
                "lift": s.place.lift,
            }
        ),
    }


def _place_from_json(data: Any) -> PlaceNote | None:
    if not isinstance(data, dict):
        return None
    try:
        return PlaceNote(
            Ring(str(data["ring"])), int(data["days"]), int(data["count"]), float(data["lift"])
        )
    except (KeyError, ValueError, TypeError):
        return None


def suggestion_from_json(data: dict[str, Any]) -> RouteSuggestion:
    return RouteSuggestion(
        label=str(data["label"]),
        probability=float(data["probability"]),
        category_code=str(data["category_code"]),
        category_name=str(data.get("category_name") or ""),
        department_code=data.get("department_code"),
        department_name=data.get("department_name"),
        top_words=tuple((str(w), float(weight)) for w, weight in data.get("top_words") or ()),
        # decisions recorded before leaf categories: a group, as it was then
        leaf=bool(data.get("leaf", True)),
        label_probability=(
            float(data["label_probability"]) if data.get("label_probability") is not None else None
        ),
        keywords=tuple(str(w) for w in data.get("keywords") or ()),
        text_probability=(
            float(data["text_probability"]) if data.get("text_probability") is not None else None
        ),
        place=_place_from_json(data.get("place")),
    )


def _reason(value: str) -> RoutingReason | str:
    try:
        return RoutingReason(value)
    except ValueError:
        return value


# built once: the router inserts one for every case it dispatches itself
_INSERT_DECISION = insert(routing_decisions)


def _decision_row(d: RoutingDecision) -> dict[str, Any]:
    return {
        "case_id": d.case_id,
        "source": d.source,
        "model_version": d.model_version,
        "suggestions": [suggestion_to_json(s) for s in d.suggestions],
        "category_code": d.category_code,
        "confidence": d.confidence,
        "threshold": d.threshold,
        "department_code": d.department_code,
        "department_name": d.department_name,
        "outcome": d.outcome.value,
        "reason": str(d.reason),
        "decided_at": d.decided_at,
        "correlation_id": d.correlation_id,
        "causation_id": d.causation_id,
    }


def insert_decision(session: Session, d: RoutingDecision) -> bool:
    """Record the decision; False (nothing written) when the case has one already (the unique
    case_id refuses it: no read first)."""
    try:
        with session.begin_nested():
            session.execute(_INSERT_DECISION, _decision_row(d))
    except IntegrityError:  # a concurrent delivery of the same event won the race
        return False
    return True


def insert_decisions(session: Session, found: Sequence[RoutingDecision]) -> None:
    """Record many decisions with one statement; a case that has one already keeps it."""
    if not found:
        return
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(routing_decisions)
    session.execute(
        stmt.on_conflict_do_nothing(index_elements=["case_id"]),
        [_decision_row(d) for d in found],
    )


def decided_among(session: Session, case_ids: Sequence[int]) -> set[int]:
    """Which of these cases have a routing decision (one query for a relay pass)."""
    if not case_ids:
        return set()
    found = session.execute(
        select(routing_decisions.c.case_id).where(routing_decisions.c.case_id.in_(case_ids))
    ).scalars()
    return {int(i) for i in found}


def get_decision(session: Session, case_id: int) -> RoutingDecision | None:
    row = (
        session.execute(select(routing_decisions).where(routing_decisions.c.case_id == case_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return RoutingDecision(
        case_id=row["case_id"],
        source=row["source"],
        model_version=row["model_version"],
        suggestions=tuple(suggestion_from_json(s) for s in row["suggestions"]),
        category_code=row["category_code"],
        confidence=row["confidence"],
        threshold=row["threshold"],
        department_code=row["department_code"],
        department_name=row["department_name"],
        outcome=RoutingOutcome(row["outcome"]),
        reason=_reason(row["reason"]),
        decided_at=row["decided_at"],
        correlation_id=row["correlation_id"],
        causation_id=row["causation_id"],
    )


def has_correction(session: Session, event_id: str) -> bool:
    found = session.execute(
        select(routing_corrections.c.id).where(routing_corrections.c.event_id == event_id)
    ).first()
    return found is not None


def insert_correction(session: Session, c: RoutingCorrection) -> bool:
    """Record one correction; False when its dispatch event was recorded already."""
    if has_correction(session, c.event_id):
        return False
    try:
        with session.begin_nested():
            session.execute(insert(routing_corrections).values(**c.__dict__))
    except IntegrityError:
        return False
    return True


_CORRECTION_COLUMNS = [c for c in routing_corrections.c if c.name != "id"]


def corrections_for_case(session: Session, case_id: int) -> Sequence[RoutingCorrection]:
    rows = session.execute(
        select(*_CORRECTION_COLUMNS)
        .where(routing_corrections.c.case_id == case_id)
        .order_by(routing_corrections.c.id)
    ).mappings()
    return [RoutingCorrection(**dict(r)) for r in rows]


def all_corrections(session: Session) -> Sequence[RoutingCorrection]:
    """Every correction, oldest first."""
    rows = session.execute(
        select(*_CORRECTION_COLUMNS).order_by(routing_corrections.c.id)
    ).mappings()
    return [RoutingCorrection(**dict(r)) for r in rows]
