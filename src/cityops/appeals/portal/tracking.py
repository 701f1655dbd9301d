"""Tracking a case by its code (查询进度): the steps in plain words, the unit handling it and the
deadline to expect. What leaves here is public: no names, no phone numbers, no staff."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.appeals.appeal_types import AppealType
from cityops.appeals.merging import follow_merges
from cityops.appeals.portal import policy, store
from cityops.appeals.portal.model import PublicCase, TimelineStep
from cityops.appeals.portal.photos import PhotoStore
from cityops.cases.public import CaseService, CaseStatus, CaseView, HistoryEntry
from cityops.kernel.actor import SYSTEM, Actor
from cityops.kernel.errors import NotFound
from cityops.kernel.ids import normalize_tracking_code
from cityops.kernel.masking import mask_text

CODE_RE = re.compile(r"^[A-Za-z0-9_-]{6,32}$")

# history action → the step a citizen sees (actions not listed stay internal: 督办, 催办, …)
STEP_OF_ACTION = {
    "report": "received",
    "register": "registered",
    "reject": "rejected",
    "cancel": "cancelled",
    "merge": "merged",
    "dispatch": "dispatched",
    "sign": "handling",
    "return": "reassigning",
    "approve_extension": "extended",
    "suspend": "paused",
    "resume": "handling",
    "finish": "result",
    "self_handle": "closed",
    "answer": "answered",  # 直接办结: the consultation answered on the spot
}
TERMINAL = {CaseStatus.closed, CaseStatus.rejected, CaseStatus.cancelled}


def public_step(entry: HistoryEntry) -> TimelineStep | None:
    """One history line as a citizen sees it, or None for an internal line."""
    data = entry.data or {}
    if entry.action == "verify":
        verdict = "closed" if entry.to_status == CaseStatus.closed.value else "reworking"
        return TimelineStep(step=verdict, at=entry.at)
    if entry.action == "evaluate":
        if data.get("contacted") is False:  # a visit that did not reach the citizen
            return None
        reopened = entry.to_status != CaseStatus.closed.value
        return TimelineStep(
            step="reopened" if reopened else "rated",
            at=entry.at,
            text=str(data.get("satisfaction") or "") or None,
        )
    step = STEP_OF_ACTION.get(entry.action)
    if step is None:
        return None
    unit = data.get("department_name") if entry.action == "dispatch" else None
    text = (entry.note.strip() or None) if entry.action == "finish" else None
    if entry.action == "answer":
        text = str(data.get("answer") or "") or None  # the answer the caller was given
    if entry.action == "merge":
        text = str(data.get("into_case_number") or "") or None  # the case handling it now
    return TimelineStep(step=step, at=entry.at, unit=str(unit) if unit else None, text=text)


def public_timeline(entries: Sequence[HistoryEntry]) -> tuple[TimelineStep, ...]:
    return tuple(s for s in (public_step(e) for e in entries) if s is not None)


def phase_of(status: CaseStatus) -> str:
    if status is CaseStatus.reported:
        return "received"
    if status is CaseStatus.closed:
        return "done"
    if status in (CaseStatus.rejected, CaseStatus.cancelled):
        return "closed_without_handling"
    return "processing"


class Tracking:
    def __init__(self, *, cases: CaseService, photos: PhotoStore) -> None:
        self.cases = cases
        self.photos = photos

    def case_id_for(self, session: Session, code: str) -> tuple[int, AppealType | None]:
        code = normalize_tracking_code(code or "")
        row = store.appeal_by_code(session, code) if CODE_RE.fullmatch(code) else None
        if row is None:
            raise NotFound(
                "no appeal has this tracking code: check it and try again",
                code="unknown_tracking_code",
            )
        return int(row["case_id"]), AppealType(row["appeal_type"])

    def track_case(self, session: Session, actor: Actor, code: str) -> PublicCase:
        """The public view of the case behind `code`; a case merged into another (合并办理)
        goes on with the other case's steps, unit, deadline and outcome."""
        policy.check_track_case(actor)
        case_id, kind = self.case_id_for(session, code)
        view = self.cases.get_case(session, SYSTEM, case_id)
        history = self.cases.history(session, SYSTEM, case_id)
        ratings = store.ratings(session, case_id)
        merged = follow_merges(self.cases, session, SYSTEM, view, history)
        names = tuple(h.case.reporter_name for h in (merged.hops if merged else ()))
        return public_case(
            view,
            kind,
            public_timeline([*history, *(merged.steps() if merged else ())]),
            tuple(self.photos.url(p) for p in store.photo_paths(session, case_id)),
            rating_comment=(ratings[-1]["comment"] or None) if ratings else None,
            merged_into=merged.target if merged else None,
            names=names,
            expected_by=self.cases.expected_by(merged.target if merged else view),
            approximate=bool(history) and (history[0].data or {}).get("location") == "approximate",
        )


def public_case(
    view: CaseView,
    kind: AppealType | None,
    timeline: tuple[TimelineStep, ...],
    photos: tuple[str, ...],
    *,
    rating_comment: str | None = None,
    merged_into: CaseView | None = None,
    names: Iterable[str | None] = (),
    approximate: bool = False,
    expected_by: datetime | None = None,
) -> PublicCase:
    """`view` as its tracking page shows it; with `merged_into` (the case it was merged into)
    the phase, unit and deadline are that case's, the shared outcome. Anyone holding the code
    reads it, so the personal data in its free text (description, address, notes, the comment:
    phones, e-mail, ID numbers, the reporter's `names`) is masked."""
    handling = merged_into or view
    open_ = handling.status not in TERMINAL
    names = (view.reporter_name, *names)

    def masked(text: str | None) -> str | None:
        return mask_text(text, names=names) if text else text

    return PublicCase(
        tracking_code=view.tracking_code,
        case_number=view.number,
        appeal_type=kind,
        category_name=view.category_name,
        description=masked(view.description) or "",
        address=masked(view.address),
        street=view.area.street.name if view.area.street else None,
        status=view.status.value,
        phase=phase_of(handling.status),
        reported_at=view.reported_at,
        expected_by=expected_by if open_ else None,
        unit=handling.department.name if handling.department else None,
        photos=photos,
        timeline=tuple(replace(step, text=masked(step.text)) for step in timeline),
        can_rate=view.status is CaseStatus.closed and view.evaluated_at is None,
        satisfaction=view.satisfaction,
        rating_comment=masked(rating_comment) if view.evaluated_at is not None else None,
        merged_into=merged_into.number if merged_into else None,
        approximate=approximate,
    )
