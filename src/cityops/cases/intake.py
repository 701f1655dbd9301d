"""Intake (受理) in two steps, so the write lock is held only for the writing.

`CaseService.prepare_case` does everything a new case needs that writes nothing — the actor's
rule, the category, the place (area chain), the responsible unit — and `prepared_case` checks
the text and the phone, computes the stage deadlines and builds the row. `store_cases` writes
any number of prepared cases at once: their ids, one multi-row INSERT of the cases, one of
their history lines and one of their `CaseReported` events. The group-commit writer
(infra/writer.py) hands it every prepared case waiting at that moment; `CaseService.create_case`
does both steps in the caller's own transaction, for callers that need one (hotline, demo)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from cityops.cases import queries, request_keys, rows, store
from cityops.cases.dtos import NewCase
from cityops.cases.events import CaseReported
from cityops.cases.lifecycle import initial_deadlines
from cityops.cases.model import (
    CaseSource,
    CaseState,
    CaseStatus,
    WorkCalendar,
    checked_phone,
    checked_text,
)
from cityops.cases.rows import CaseRecord
from cityops.geo.public import AreaChain, AreaLevel
from cityops.infra.outbox import UnitOfWork
from cityops.kernel.actor import Actor
from cityops.kernel.clock import SHANGHAI
from cityops.kernel.errors import NotFound
from cityops.kernel.events import Trace, current_trace
from cityops.kernel.ids import new_tracking_code
from cityops.kernel.media import checked_photos
from cityops.kernel.request_keys import RequestKey
from cityops.kernel.text import clean_text
from cityops.org.public import DepartmentRef
from cityops.taxonomy.public import Category, Urgency
from cityops.worktime.public import Stage

_LEVELS = (AreaLevel.district, AreaLevel.street, AreaLevel.community, AreaLevel.grid)


@dataclass(frozen=True)
class PreparedCase:
    """A checked new case, ready to be written. Its column values (without id and number) are
    the intake's own (`store_cases` writes them); others read the typed fields."""

    actor: Actor
    source: CaseSource
    category_code: str
    reporter_phone: str | None  # as checked (one form)
    reported_at: datetime
    note: str
    photos: tuple[str, ...]
    _values: Mapping[str, Any] = field(repr=False)
    approximate: bool = False  # the point stands for the area (NewCase.approximate)
    # the client's Idempotency-Key: a second request with it stores nothing (request_keys.py)
    request_key: RequestKey | None = None
    # the request that asked for it: the writer may store it beside other requests' cases
    trace: Trace = field(default_factory=current_trace)


def prepared_case(
    actor: Actor,
    cmd: NewCase,
    *,
    category: Category,
    chain: AreaChain,
    point: tuple[float | None, float | None],
    suggested: DepartmentRef | None,
    now: datetime,
    calendar: WorkCalendar,
) -> PreparedCase:
    """The row of a new case from what intake looked up (CaseService.prepare_case); checks the
    text, the phone and the photos (422: each must be a photo the platform stored)."""
    title, description = checked_text(cmd.title, cmd.description)
    phone = checked_phone(cmd.reporter_phone)
    photos = checked_photos(cmd.photos)
    lon, lat = point
    deadlines = initial_deadlines(now, category.limits, calendar)
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
        "urgency": Urgency(cmd.urgency or category.urgency).value,
        "status": CaseStatus.reported.value,
        "lon": lon,
        "lat": lat,
        "address": clean_text(cmd.address or "").strip() or None,
        "area_code": chain.smallest.code,
        "reporter_name": clean_text(cmd.reporter_name or "").strip() or None,
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
    for level in _LEVELS:
        ref = chain.at(level)
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
    return PreparedCase(
        actor=actor,
        source=cmd.source,
        category_code=category.code,
        reporter_phone=phone,
        _values=values,
        reported_at=now,
        note=description[:500],
        photos=photos,
        approximate=cmd.approximate,
    )


def case_number(reported_at: datetime, case_id: int) -> str:
    """C + the day of intake in Shanghai + the id: C20261123000042."""
    return f"C{reported_at.astimezone(SHANGHAI):%Y%m%d}{case_id:06d}"


def store_cases(uow: UnitOfWork, prepared: Sequence[PreparedCase]) -> list[CaseRecord]:
    """Write prepared cases with their first history line and CaseReported; returns the cases
    as stored, in order. One statement per table, however many cases. A case whose request
    key is stored already (committed, or met earlier in this batch) is not written again: its
    place holds the case that key wrote (422 idempotency_key_reused if it named another body)."""
    if not any(p.request_key for p in prepared):
        return _store_new(uow, prepared)
    session = uow.session
    known = request_keys.find_many(
        session, [(p.actor.username, p.request_key.key) for p in prepared if p.request_key]
    )
    fresh: list[PreparedCase] = []
    sources: list[PreparedCase | int] = []  # per item: the case written for it, or the id
    met: dict[tuple[str, str], PreparedCase] = {}
    for p in prepared:
        key = p.request_key
        pair = (p.actor.username, key.key) if key else None
        if key is None or pair is None:
            fresh.append(p)
            sources.append(p)
        elif pair in known:
            sources.append(request_keys.replay_of(known[pair], key))
        elif pair in met:  # the same request twice in one batch: the first one writes
            first = met[pair].request_key
            assert first is not None
            request_keys.replay_of(request_keys.StoredKey(first.scope, first.fingerprint, 0), key)
            sources.append(met[pair])
        else:
            met[pair] = p
            fresh.append(p)
            sources.append(p)
    written = {id(p): c for p, c in zip(fresh, _store_new(uow, fresh), strict=True)}
    request_keys.insert_keys(
        session,
        [
            (owner, p.request_key, written[id(p)].id)
            for (owner, _), p in met.items()
            if p.request_key
        ],
        prepared[0].reported_at,
    )
    out: list[CaseRecord] = []
    for p, source in zip(prepared, sources, strict=True):
        if not isinstance(source, int):
            out.append(written[id(source)])
            continue
        record = queries.scoped_case(session, p.actor, source)
        if record is None:
            raise NotFound(f"case {source} not found", code="case_not_found", case_id=source)
        out.append(record)
    return out


def _store_new(uow: UnitOfWork, prepared: Sequence[PreparedCase]) -> list[CaseRecord]:
    if not prepared:
        return []
    session = uow.session
    ids = store.allocate_case_ids(session, len(prepared))
    case_rows: list[dict[str, Any]] = []
    history: list[dict[str, Any]] = []
    for p, case_id in zip(prepared, ids, strict=True):
        case_rows.append(
            {**p._values, "id": case_id, "number": case_number(p.reported_at, case_id)}
        )
        history.append(
            store.history_row(
                case_id=case_id,
                seq=1,
                action="report",
                from_status=None,
                to_status=CaseStatus.reported.value,
                actor_user_id=p.actor.user_id,
                actor_name=p.actor.display_name or p.actor.username,
                actor_role=p.actor.primary_role,
                at=p.reported_at,
                note=p.note,
                data={
                    "source": p.source.value,
                    "category_code": p.category_code,
                    **({"location": "approximate"} if p.approximate else {}),
                },
                attachments=p.photos,
                trace=p.trace,
            )
        )
    stored = store.insert_cases(session, case_rows)
    store.insert_history_rows(session, history)
    uow.emit_all(
        [
            CaseReported(
                occurred_at=p.reported_at,
                actor=p.actor.username,
                actor_role=p.actor.primary_role,
                case_id=case.id,
                case_number=case.number,
                status=CaseStatus.reported.value,
                source=case.source.value,
                category_code=case.category_code,
                area_code=case.area_code,
                urgency=case.urgency,
                suggested_department_code=case.suggested_department_code,
                correlation_id=p.trace.correlation_id,
                causation_id=p.trace.causation_id,
            )
            for p, case in zip(prepared, stored, strict=True)
        ]
    )
    return stored
