"""Use cases of city vital signs (城市体征): board, drill-down, trend, definitions, series, runs.

Each read takes an Actor and first checks its rule in insight/policy.py; an area-bound actor sees
only the areas inside their own (others: 404 vital_area_not_found).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.orm import Session

from cityops.insight.vitals.definition_set import ImportResult
from cityops.insight.vitals_runtime.model import (
    RunReport,
    VitalAreas,
    VitalBoard,
    VitalTrend,
)
from cityops.kernel.actor import Actor


class VitalsService:
    def board(self, session: Session, actor: Actor, *, area: str | None = None) -> VitalBoard:
        raise NotImplementedError

    def areas(
        self, session: Session, actor: Actor, code: str, *, parent: str | None = None
    ) -> VitalAreas:
        raise NotImplementedError

    def trend(
        self,
        session: Session,
        actor: Actor,
        code: str,
        *,
        area: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> VitalTrend:
        raise NotImplementedError

    def definitions_yaml(self, session: Session, actor: Actor) -> tuple[int, str]:
        raise NotImplementedError

    def import_definitions(self, session: Session, actor: Actor, yaml_text: str) -> ImportResult:
        raise NotImplementedError

    def import_series(
        self,
        session: Session,
        actor: Actor,
        series: str,
        points: Sequence[tuple[str, datetime, float]],
    ) -> int:
        raise NotImplementedError

    def evaluate_due(self, session: Session, now: datetime) -> RunReport:
        raise NotImplementedError
