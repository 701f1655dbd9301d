"""Similar open cases for one case (重复/关联诉求), read through cases.public only."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from cityops.appeals.duplicates import policy
from cityops.appeals.duplicates.model import (
    DEFAULT_WEIGHTS,
    MIN_TEXT_SIMILARITY,
    Appeal,
    Weights,
    rank,
)
from cityops.cases.public import MAX_PAGE_SIZE, OPEN_STATUSES, CaseFilter, CaseService, CaseView
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock
from cityops.kernel.errors import ValidationFailed

MAX_RADIUS_M = 5_000
MAX_WINDOW_DAYS = 365
MAX_LIMIT = 50
METRES_PER_DEGREE = 111_195  # of latitude (mean Earth radius 6,371 km)
MAX_CANDIDATES = 2_000  # cases read per query at most (newest first, as the engine lists them)


@dataclass(frozen=True)
class SimilarCase:
    case_id: int
    number: str
    title: str
    status: str
    distance_m: float | None
    text_score: float
    score: float
    reported_at: datetime


def around(lon: float, lat: float, radius_m: float) -> tuple[float, float, float, float]:
    """A WGS-84 box holding every point within `radius_m` of (lon, lat), with 1 % to spare."""
    dlat = radius_m * 1.01 / METRES_PER_DEGREE
    dlon = dlat / max(math.cos(math.radians(lat)), 0.01)
    return lon - dlon, lat - dlat, lon + dlon, lat + dlat


def _appeal(case: CaseView) -> Appeal:
    return Appeal(
        case_id=case.id,
        text=f"{case.title} {case.description}",
        reported_at=case.reported_at,
        lon=case.lon,
        lat=case.lat,
        area_code=case.area_code,
    )


class DuplicateService:
    def __init__(
        self,
        cases: CaseService,
        weights: Weights = DEFAULT_WEIGHTS,
        *,
        clock: Clock,
        min_text: float = MIN_TEXT_SIMILARITY,
    ) -> None:
        self.cases = cases
        self.clock = clock
        self.weights = weights
        self.min_text = min_text  # below it, a candidate is not suggested at all

    def similar_cases(
        self,
        session: Session,
        actor: Actor,
        case_id: int,
        *,
        radius_m: float = 250,
        window_days: int = 30,
        limit: int = 5,
    ) -> list[SimilarCase]:
        """Open cases (not the case itself, not merged) within `radius_m` of the case and
        reported within ± `window_days` of it, best score first. The case and the candidates are
        limited to the actor's scope (NotFound for a case outside it)."""
        policy.check_find_similar(actor)
        self._check(radius_m, window_days, limit)
        target = self.cases.get_case(session, actor, case_id)
        window = timedelta(days=window_days)
        found = self._open_cases(session, actor, target.reported_at, window)
        return self._ranked(_appeal(target), found, radius_m, window, limit)

    def similar_to_text(
        self,
        session: Session,
        actor: Actor,
        text: str,
        lon: float,
        lat: float,
        *,
        radius_m: float = 250,
        window_days: int = 30,
        limit: int = 5,
    ) -> list[SimilarCase]:
        """Open cases within `radius_m` of a WGS-84 point reported in the last `window_days`
        whose text is like `text`: possible duplicates of an appeal not yet filed (the hotline
        asks while the caller is on the line). Candidates are limited to the actor's scope."""
        policy.check_find_similar(actor)
        self._check(radius_m, window_days, limit)
        now = self.clock.now()
        window = timedelta(days=window_days)
        found = self._open_cases(session, actor, now, window, bbox=around(lon, lat, radius_m))
        target = Appeal(case_id=0, text=text, reported_at=now, lon=lon, lat=lat)
        return self._ranked(target, found, radius_m, window, limit)

    @staticmethod
    def _check(radius_m: float, window_days: int, limit: int) -> None:
        if not 0 < radius_m <= MAX_RADIUS_M:
            raise ValidationFailed(f"radius_m must be in (0, {MAX_RADIUS_M}]", code="bad_radius")
        if not 1 <= window_days <= MAX_WINDOW_DAYS:
            raise ValidationFailed(
                f"window_days must be in [1, {MAX_WINDOW_DAYS}]", code="bad_window"
            )
        if not 1 <= limit <= MAX_LIMIT:
            raise ValidationFailed(f"limit must be in [1, {MAX_LIMIT}]", code="bad_limit")

    def _open_cases(
        self,
        session: Session,
        actor: Actor,
        when: datetime,
        window: timedelta,
        *,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> dict[int, CaseView]:
        """Open, unmerged cases in the actor's scope reported within ± window of `when` (and
        with a point inside `bbox`, when given)."""
        filters = CaseFilter(
            statuses=tuple(sorted(OPEN_STATUSES)),
            reported_from=when - window,
            reported_to=when + window + timedelta(microseconds=1),
            bbox=bbox,
        )
        found: dict[int, CaseView] = {}
        page = 1
        while len(found) < MAX_CANDIDATES:
            batch = self.cases.list_cases(session, actor, filters, page=page, size=MAX_PAGE_SIZE)
            found.update((c.id, c) for c in batch.items if c.merged_into_id is None)
            if page * MAX_PAGE_SIZE >= batch.total or not batch.items:
                break
            page += 1
        return found

    def _ranked(
        self,
        target: Appeal,
        found: dict[int, CaseView],
        radius_m: float,
        window: timedelta,
        limit: int,
    ) -> list[SimilarCase]:
        matches = rank(
            target,
            (_appeal(c) for c in found.values()),
            radius_m=radius_m,
            window=window,
            limit=limit,
            weights=self.weights,
            min_text=self.min_text,
        )
        return [
            SimilarCase(
                case_id=m.case_id,
                number=found[m.case_id].number,
                title=found[m.case_id].title,
                status=found[m.case_id].status.value,
                distance_m=None if m.distance_m is None else round(m.distance_m, 1),
                text_score=m.text_score,
                score=m.score,
                reported_at=found[m.case_id].reported_at,
            )
            for m in matches
        ]
