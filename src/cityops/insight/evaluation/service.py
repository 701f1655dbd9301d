"""Use cases of the performance evaluation: scores of one subject kind (ranking or trend view),
the cases behind a number, and the Excel workbook; each checks its policy first."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from cityops.insight.evaluation import policy
from cityops.insight.evaluation.config import EvaluationConfig, EvaluationView
from cityops.insight.evaluation.export import workbook_bytes
from cityops.insight.evaluation.model import COMPONENTS, Component, SubjectKind, count_names
from cityops.insight.evaluation.periods import (
    Period,
    PeriodKind,
    last_periods,
    parse_period,
    period_of,
)
from cityops.insight.evaluation.ranking import (
    Ranking,
    SubjectScore,
    TrendLine,
    rank,
    score_period,
    trend,
)
from cityops.kernel.actor import Actor
from cityops.kernel.clock import Clock, to_local
from cityops.kernel.errors import ValidationFailed


class CountsRow(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def period(self) -> int: ...
    @property
    def counts(self) -> Mapping[str, int]: ...


class CaseRow(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def number(self) -> str | None: ...
    @property
    def title(self) -> str: ...
    @property
    def status(self) -> str: ...


class EvaluationSource(Protocol):
    """What the evaluation needs of the case engine (platform.cases)."""

    def evaluation_counts(
        self,
        session: Session,
        actor: Actor,
        *,
        kind: str,
        windows: Sequence[tuple[datetime, datetime]],
        decision_hours: float = 24.0,
    ) -> Sequence[CountsRow]: ...

    def evaluation_cases(
        self,
        session: Session,
        actor: Actor,
        *,
        kind: str,
        code: str,
        count: str,
        window: tuple[datetime, datetime],
        decision_hours: float = 24.0,
    ) -> Sequence[CaseRow]: ...


@dataclass(frozen=True)
class KindReport:
    kind: SubjectKind
    view: EvaluationView
    period: Period  # the period asked for (the last of the trend)
    periods: tuple[Period, ...]  # oldest first; one in the ranking view
    components: tuple[Component, ...]
    weights: Mapping[str, float]
    rows: tuple[SubjectScore, ...]  # the period's subjects: by rank (ranking) or by code (trend)
    head: tuple[SubjectScore, ...]  # ranking view only
    tail: tuple[SubjectScore, ...]
    trend: tuple[TrendLine, ...]  # trend view only
    min_volume: int
    grades: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class DrillDown:
    kind: SubjectKind
    code: str
    count: str
    period: Period
    cases: tuple[CaseRow, ...]


def _kind(value: SubjectKind | str) -> SubjectKind:
    try:
        return SubjectKind(value)
    except ValueError:
        raise ValidationFailed(
            f"subject must be one of {', '.join(SubjectKind)}, not {value!r}",
            code="invalid_subject",
        ) from None


def _view(value: EvaluationView | str | None, default: EvaluationView) -> EvaluationView:
    if value is None or value == "":
        return default
    try:
        return EvaluationView(value)
    except ValueError:
        raise ValidationFailed(
            f"view must be trend or ranking, not {value!r}", code="invalid_view"
        ) from None


class EvaluationService:
    def __init__(self, cases: EvaluationSource, clock: Clock, config: EvaluationConfig) -> None:
        self._cases = cases
        self._clock = clock
        self.config = config

    def _period(self, text: str | None) -> Period:
        if text:
            return parse_period(text)
        return period_of(to_local(self._clock.now()).date(), PeriodKind.month)

    def _scores(
        self, session: Session, actor: Actor, kind: SubjectKind, periods: Sequence[Period]
    ) -> list[dict[str, SubjectScore]]:
        found = self._cases.evaluation_counts(
            session,
            actor,
            kind=kind.value,
            windows=[p.bounds() for p in periods],
            decision_hours=self.config.decision_hours,
        )
        names = count_names(kind)
        per: list[dict[str, tuple[str, dict[str, int]]]] = [{} for _ in periods]
        for row in found:
            counts = dict.fromkeys(names, 0) | {k: int(v) for k, v in row.counts.items()}
            per[row.period][row.code] = (row.name, counts)
        out = []
        for subjects in per:
            scored = score_period(kind, subjects, self.config)
            out.append(
                {
                    code: SubjectScore(code, name, counts, scored[code])
                    for code, (name, counts) in subjects.items()
                }
            )
        return out

    def scores(
        self,
        session: Session,
        actor: Actor,
        kind: SubjectKind | str,
        period: str | None = None,
        view: EvaluationView | str | None = None,
    ) -> KindReport:
        """One kind's scores: the ranking of `period` with its head and tail, or the trend of
        the last `trend_periods` periods up to it (the configured view by default)."""
        policy.may_view_evaluation(actor)  # first: a role that sees no kind at all
        subject = _kind(kind)
        policy.may_view_evaluation(actor, subject)
        chosen = _view(view, self.config.view)
        end = self._period(period)
        n = self.config.trend_periods if chosen is EvaluationView.trend else 1
        periods = last_periods(end, n)
        components = COMPONENTS[subject]
        per = self._scores(session, actor, subject, periods)
        ranking: Ranking | None = None
        if chosen is EvaluationView.ranking:
            ranking = rank(list(per[-1].values()), self.config.head_tail)
            rows = ranking.rows
        else:
            rows = tuple(per[-1][code] for code in sorted(per[-1]))
        return KindReport(
            kind=subject,
            view=chosen,
            period=end,
            periods=periods,
            components=components,
            weights={
                c.key: self.config.weighting(subject, c.key).weight for c in COMPONENTS[subject]
            },
            rows=rows,
            head=ranking.head if ranking else (),
            tail=ranking.tail if ranking else (),
            trend=trend(per) if chosen is EvaluationView.trend else (),
            min_volume=self.config.minimum(subject),
            grades=self.config.grades,
        )

    def drill_down(
        self,
        session: Session,
        actor: Actor,
        kind: SubjectKind | str,
        code: str,
        count: str,
        period: str | None = None,
    ) -> DrillDown:
        """The cases behind one count of one subject in one period, within the actor's scope
        (the case engine refuses a count the kind does not have: 422 invalid_count)."""
        policy.may_view_evaluation(actor)  # first: a role that sees no kind at all
        subject = _kind(kind)
        policy.may_view_evaluation(actor, subject)
        chosen = self._period(period)
        found = self._cases.evaluation_cases(
            session,
            actor,
            kind=subject.value,
            code=code,
            count=count,
            window=chosen.bounds(),
            decision_hours=self.config.decision_hours,
        )
        return DrillDown(subject, code, count, chosen, tuple(found))

    def export(self, session: Session, actor: Actor, period: str | None = None) -> bytes:
        """An .xlsx workbook: a sheet per subject kind the actor may see, ranked for `period`."""
        policy.may_view_evaluation(actor)
        reports = [
            self.scores(session, actor, kind, period, EvaluationView.ranking)
            for kind in policy.visible_kinds(actor)
        ]
        return workbook_bytes(reports)
