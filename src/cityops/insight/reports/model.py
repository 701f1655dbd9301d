"""The report as data (pure): headline figures with 同比/环比, sources, categories, the daily
trend, rankings head and tail, the named case lists and the annex per unit, computed from the
counts the case engine gives for the period, the previous period and the same period a year
before. Formulas in docs/insight/reports.md."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Protocol

from cityops.insight.indicators import ratio
from cityops.insight.reports.period import KIND_NAMES, ReportPeriod

RANK_SIZE = 5  # units in the head and in the tail of a ranking
MIN_RANKED = 5  # a unit needs this many cases due to close to be ranked on a rate
TOP_CATEGORIES = 10
PRINTED_CASES = 30  # cases of each list printed in the .docx and .pdf (the .xlsx has them all)

SOURCE_NAMES: Mapping[str, str] = {
    "hotline": "12345热线",
    "web": "网站/APP",
    "open311": "Open311接口",
    "inspector": "监督员上报",
    "sensor": "物联感知",
    "transfer": "上级转办",
}
STATUS_NAMES: Mapping[str, str] = {
    "reported": "待受理",
    "registered": "已立案",
    "dispatched": "已派遣",
    "in_progress": "处置中",
    "suspended": "挂账",
    "handled": "已处置",
    "closed": "已结案",
    "cancelled": "已作废",
    "rejected": "不予立案",
    "merged": "已合并",
}
LIST_NAMES: Mapping[str, str] = {
    "overdue": "超期案件",
    "supervised": "督办案件",
    "unsatisfied": "不满意案件",
}


class UnitRow(Protocol):
    """cases.public.UnitCounts, as read here."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def reported(self) -> int: ...
    @property
    def due_to_handle(self) -> int: ...
    @property
    def handled_on_time(self) -> int: ...
    @property
    def due_to_close(self) -> int: ...
    @property
    def closed(self) -> int: ...
    @property
    def closed_on_time(self) -> int: ...
    @property
    def overdue(self) -> int: ...
    @property
    def reworked(self) -> int: ...
    @property
    def supervised(self) -> int: ...
    @property
    def evaluated(self) -> int: ...
    @property
    def satisfied(self) -> int: ...
    @property
    def unsatisfied(self) -> int: ...


class CaseLine(Protocol):
    """cases.public.ListedCase, as read here."""

    @property
    def number(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def category_name(self) -> str: ...
    @property
    def unit_name(self) -> str: ...
    @property
    def street_name(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reported_at(self) -> datetime: ...


UNIT_FIELDS = (
    "reported",
    "due_to_handle",
    "handled_on_time",
    "due_to_close",
    "closed",
    "closed_on_time",
    "overdue",
    "reworked",
    "supervised",
    "evaluated",
    "satisfied",
    "unsatisfied",
)


@dataclass(frozen=True)
class PeriodCounts:
    """What the case engine gives for one period."""

    by_source: Mapping[str, int]
    by_category: Mapping[str, int]  # level-1 code → cases
    by_day: Mapping[date, int]
    departments: Sequence[UnitRow]
    streets: Sequence[UnitRow]

    def totals(self) -> dict[str, int]:
        out = dict.fromkeys(UNIT_FIELDS, 0)
        for row in self.departments:
            for name in UNIT_FIELDS:
                out[name] += int(getattr(row, name))
        return out


@dataclass(frozen=True)
class Figure:
    """A headline figure: this period, the previous (环比) and a year before (同比)."""

    key: str
    name: str
    value: float | None
    previous: float | None
    year_before: float | None
    is_rate: bool

    @property
    def mom(self) -> float | None:
        """环比: relative change for a count, the difference in points for a rate."""
        return _change(self.value, self.previous, self.is_rate)

    @property
    def yoy(self) -> float | None:
        """同比, as `mom`."""
        return _change(self.value, self.year_before, self.is_rate)


def _change(now: float | None, then: float | None, is_rate: bool) -> float | None:
    if now is None or then is None:
        return None
    if is_rate:
        return now - then
    return None if then == 0 else (now - then) / then


@dataclass(frozen=True)
class Share:
    code: str
    name: str
    count: int
    share: float | None  # of the period's cases
    previous: int | None = None  # the previous period's count, where compared


@dataclass(frozen=True)
class UnitLine:
    """A unit in the rankings and the annex: its counts and rates."""

    code: str
    name: str
    counts: Mapping[str, int]
    on_time_handling: float | None  # 按期处置率
    on_time_closure: float | None  # 按期结案率
    closure: float | None  # 结案率
    rework: float | None  # 返工率
    satisfaction: float | None  # 满意率


@dataclass(frozen=True)
class CaseList:
    key: str
    name: str
    total: int
    cases: Sequence[CaseLine]


@dataclass(frozen=True)
class Report:
    period: ReportPeriod
    generated_at: datetime
    scope_name: str
    headline: Sequence[Figure]
    sources: Sequence[Share]
    categories: Sequence[Share]
    trend: Sequence[tuple[date, int]]
    department_head: Sequence[UnitLine]
    department_tail: Sequence[UnitLine]
    street_head: Sequence[UnitLine]
    departments: Sequence[UnitLine]
    streets: Sequence[UnitLine]
    lists: Sequence[CaseList]
    hot_issues_note: str
    notes: Sequence[str] = field(default_factory=tuple)

    @property
    def title(self) -> str:
        return f"{self.scope_name}城市运行{KIND_NAMES[self.period.kind]}（{self.period.title}）"

    def figure(self, key: str) -> Figure:
        return next(f for f in self.headline if f.key == key)


def unit_line(row: UnitRow) -> UnitLine:
    counts = {name: int(getattr(row, name)) for name in UNIT_FIELDS}
    return _line(row.code, row.name, counts)


def _line(code: str, name: str, c: Mapping[str, int]) -> UnitLine:
    return UnitLine(
        code=code,
        name=name or code or "（未指定）",
        counts=dict(c),
        on_time_handling=ratio(c["handled_on_time"], c["due_to_handle"]),
        on_time_closure=ratio(c["closed_on_time"], c["due_to_close"]),
        closure=ratio(c["closed"], c["due_to_close"]),
        rework=ratio(c["reworked"], c["due_to_close"]),
        satisfaction=ratio(c["satisfied"], c["evaluated"]),
    )


HEADLINE: tuple[tuple[str, str, bool], ...] = (
    ("reported", "受理量", False),
    ("closed", "结案量", False),
    ("on_time_closure", "按期结案率", True),
    ("on_time_handling", "按期处置率", True),
    ("satisfaction", "满意率", True),
    ("overdue", "超期案件", False),
    ("supervised", "督办案件", False),
    ("rework", "返工率", True),
)


def _headline_values(counts: PeriodCounts) -> dict[str, float | None]:
    line = _line("", "", counts.totals())
    return {
        "reported": line.counts["reported"],
        "closed": line.counts["closed"],
        "on_time_closure": line.on_time_closure,
        "on_time_handling": line.on_time_handling,
        "satisfaction": line.satisfaction,
        "overdue": line.counts["overdue"],
        "supervised": line.counts["supervised"],
        "rework": line.rework,
    }


def _shares(
    counts: Mapping[str, int],
    names: Mapping[str, str],
    previous: Mapping[str, int] | None = None,
) -> list[Share]:
    total = sum(counts.values())
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return [
        Share(
            code=code,
            name=names.get(code, code or "（未分类）"),
            count=n,
            share=ratio(n, total),
            previous=None if previous is None else previous.get(code, 0),
        )
        for code, n in ordered
    ]


def rank_by_closure(lines: Sequence[UnitLine]) -> list[UnitLine]:
    """Units with at least MIN_RANKED cases due to close, best 按期结案率 first (ties: more
    cases closed on time first, then code)."""
    ranked = [u for u in lines if u.counts["due_to_close"] >= MIN_RANKED]
    return sorted(
        ranked,
        key=lambda u: (-(u.on_time_closure or 0.0), -u.counts["closed_on_time"], u.code),
    )


def build_report(
    *,
    period: ReportPeriod,
    generated_at: datetime,
    scope_name: str,
    current: PeriodCounts,
    previous: PeriodCounts,
    year_before: PeriodCounts,
    trend: Mapping[date, int],
    trend_days: Sequence[date],
    category_names: Mapping[str, str],
    lists: Sequence[tuple[str, int, Sequence[CaseLine]]],
    hot_issues_note: str,
) -> Report:
    now, prev, then = (
        _headline_values(current),
        _headline_values(previous),
        _headline_values(year_before),
    )
    headline = tuple(
        Figure(key, name, now[key], prev[key], then[key], is_rate)
        for key, name, is_rate in HEADLINE
    )
    departments = [unit_line(r) for r in current.departments]
    streets = [unit_line(r) for r in current.streets]
    ranked = rank_by_closure(departments)
    head = ranked[:RANK_SIZE]
    tail = list(reversed(ranked[RANK_SIZE:][-RANK_SIZE:]))
    by_volume = sorted(streets, key=lambda u: (-u.counts["reported"], u.code))
    return Report(
        period=period,
        generated_at=generated_at,
        scope_name=scope_name,
        headline=headline,
        sources=_shares(current.by_source, SOURCE_NAMES, previous.by_source),
        categories=_shares(current.by_category, category_names)[:TOP_CATEGORIES],
        trend=tuple((d, trend.get(d, 0)) for d in trend_days),
        department_head=head,
        department_tail=tail,
        street_head=by_volume[:RANK_SIZE],
        departments=sorted(departments, key=lambda u: u.code),
        streets=sorted(streets, key=lambda u: u.code),
        lists=tuple(
            CaseList(key, LIST_NAMES[key], total, tuple(found)) for key, total, found in lists
        ),
        hot_issues_note=hot_issues_note,
    )


def percent(value: float | None, digits: int = 1) -> str:
    """0.9123 → "91.2%"; None → "—"."""
    return "—" if value is None else f"{value * 100:.{digits}f}%"


def change_text(value: float | None, is_rate: bool) -> str:
    """A 同比/环比 change: "+12.5%" for a count, "+1.3个百分点" for a rate, "持平" when it rounds
    to nothing, "—" when unknown."""
    if value is None:
        return "—"
    if round(value * 100, 1) == 0:
        return "持平"
    if is_rate:
        return f"{value * 100:+.1f}个百分点"
    return f"{value * 100:+.1f}%"


def figure_text(f: Figure) -> str:
    if f.value is None:
        return "—"
    return percent(f.value) if f.is_rate else f"{int(f.value):,}"


def summary_text(report: Report) -> str:
    """The opening paragraph of the bulletin, in the usual words."""
    kind = {"daily": "本日", "weekly": "本周", "monthly": "本月"}[report.period.kind.value]
    got = report.figure("reported")
    parts = [f"{kind}共受理各类案件{figure_text(got)}件，环比{change_text(got.mom, False)}"]
    parts.append(f"同比{change_text(got.yoy, False)}")
    closed = report.figure("closed")
    parts.append(f"结案{figure_text(closed)}件")
    for key in ("on_time_closure", "satisfaction"):
        f = report.figure(key)
        parts.append(f"{f.name}{figure_text(f)}（环比{change_text(f.mom, True)}）")
    if report.sources:
        top = report.sources[0]
        parts.append(f"来源以{top.name}为主，占{percent(top.share)}")
    if report.categories:
        parts.append(f"问题类别以{report.categories[0].name}最多")
    return "，".join(parts) + "。"
