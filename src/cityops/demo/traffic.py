"""Simulated case traffic: weeks of appeals and patrol reports moving through the workflow, driven
through the case service exactly as the API drives it, on a clock that walks forward in time.

Each case gets a plan (who acts next and after how much working time); a priority queue replays
the plans in time order. Plans that would happen after the end time are left undone, so the
queues hold open, yellow and overdue cases the way a real centre's do."""

from __future__ import annotations

import heapq
import itertools
import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from cityops.app import Platform
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseSource,
    CaseStatus,
    NewCase,
    Satisfaction,
)
from cityops.demo.accounts import DemoOrg
from cityops.demo.messages import Message, pick
from cityops.geo.public import AreaChain, AreaLevel
from cityops.kernel.actor import Actor
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.kernel.errors import DomainError
from cityops.taxonomy.public import Category, CategoryKind
from cityops.worktime.public import LimitUnit, Stage

HOUR = 3600.0


@dataclass
class TrafficStats:
    created: int = 0
    actions: int = 0
    refused: int = 0
    routed: int = 0  # registered and dispatched by smart routing (智能分拨)
    by_action: dict[str, int] = field(default_factory=dict)


@dataclass(order=True)
class _Step:
    at: datetime
    seq: int
    case_id: int = field(compare=False)
    action: CaseAction = field(compare=False)
    username: str = field(compare=False)
    command: dict[str, object] = field(compare=False, default_factory=dict)


@dataclass
class _CasePlan:
    case_id: int
    version: int
    source: CaseSource
    category: Category
    street_code: str | None
    suggested_department: str | None
    reporter: str


class TrafficSimulator:
    def __init__(
        self,
        platform: Platform,
        clock: FixedClock,
        org: DemoOrg,
        messages: list[Message],
        *,
        seed: int = 2026,
    ) -> None:
        self.p = platform
        self.clock = clock
        self.org = org
        self.messages = messages
        self.rng = random.Random(seed)
        self.queue: list[_Step] = []
        self.seq = itertools.count()
        self.plans: dict[int, _CasePlan] = {}
        self.actors: dict[str, Actor] = {}
        self.stats = TrafficStats()
        with platform.read() as s:
            leaves = platform.taxonomy.list_categories(s, leaf_only=True)
            self.points = self._sample_points(s)
        self.appeal_leaves = [c for c in leaves if c.kind == CategoryKind.appeal]
        self.patrol_leaves = [c for c in leaves if c.kind != CategoryKind.appeal]
        # The real messages carry only a first-level label (一级标签), so an operator files them
        # under that 诉求大类 itself rather than under a leaf the message says nothing about.
        self.groups: dict[str, Category] = {}
        with platform.read() as s:
            for code in sorted({c.code[:3] for c in self.appeal_leaves}):
                group = platform.taxonomy.find_category(s, code)
                if group is not None and group.active:
                    self.groups[group.name] = group

    # -- setup ------------------------------------------------------------------------------
    def _sample_points(self, session: object) -> list[tuple[float, float, AreaChain]]:
        """Random points inside the city's grids (or smallest areas), with their area chains."""
        from sqlalchemy.orm import Session

        assert isinstance(session, Session)
        areas = self.p.geo.list_features(session, level=AreaLevel.grid)
        if not areas:
            areas = self.p.geo.list_features(session, level=AreaLevel.community)
        out: list[tuple[float, float, AreaChain]] = []
        for feature in self.rng.sample(areas, min(len(areas), 400)):
            min_x, min_y, max_x, max_y = feature.bbox
            for _ in range(20):
                lon = self.rng.uniform(min_x, max_x)
                lat = self.rng.uniform(min_y, max_y)
                try:
                    chain = self.p.geo.locate(session, lon, lat)
                except DomainError:
                    continue
                if chain.smallest.code == feature.ref.code:
                    out.append((lon, lat, chain))
                    break
        if not out:
            raise RuntimeError("the demo city has no areas to place cases in")
        return out

    def actor(self, username: str) -> Actor:
        if username not in self.actors:
            with self.p.read() as s:
                self.actors[username] = self.p.org.actor_for_user(s, username)
        return self.actors[username]

    # -- running ----------------------------------------------------------------------------
    def run(
        self,
        start: datetime,
        end: datetime,
        *,
        cases_per_day: float,
        on_day: Callable[[int], None] | None = None,
        instants: Iterable[datetime] = (),
        on_instant: Callable[[datetime], object] | None = None,
    ) -> TrafficStats:
        """Replay the traffic from `start` to `end`. With `on_instant`: at each of `instants`
        (ascending) in the span, after the steps up to it and with the clock set to it,
        `on_instant(instant)` — what the platform's jobs would have seen then (the vital signs
        evaluated as the simulation goes, `cityops demo`)."""
        arrivals = self._arrivals(start, end, cases_per_day)
        day = start.astimezone(SHANGHAI).date()
        next_scan = start
        due = sorted(at for at in instants if start <= at <= end) if on_instant else []
        passed = 0

        def reach(until: datetime) -> None:
            nonlocal passed
            while passed < len(due) and due[passed] <= until and on_instant is not None:
                self._run_until(due[passed], end)
                self.clock.set(due[passed])
                on_instant(due[passed])
                passed += 1

        for at, kind in arrivals:
            reach(at)
            self._run_until(at, end)
            while next_scan <= at:
                self._scan(next_scan)
                next_scan += timedelta(hours=2)
            local_day = at.astimezone(SHANGHAI).date()
            if local_day != day and on_day is not None:
                on_day((local_day - day).days)
                day = local_day
            self.clock.set(at)
            self._create(kind)
        reach(end)
        self._run_until(end, end)
        self.clock.set(end)
        self._scan(end)
        self.p.relay.drain()
        return self.stats

    def _arrivals(
        self, start: datetime, end: datetime, per_day: float
    ) -> list[tuple[datetime, CaseSource]]:
        out: list[tuple[datetime, CaseSource]] = []
        local = start.astimezone(SHANGHAI).replace(hour=0, minute=0, second=0, microsecond=0)
        sources = [CaseSource.hotline] * 45 + [CaseSource.web] * 15 + [CaseSource.inspector] * 35
        sources += [CaseSource.open311] * 5
        while local < end:
            weekend = local.weekday() >= 5
            n = self._poisson(per_day * (0.5 if weekend else 1.0))
            for _ in range(n):
                # calls and reports cluster in the day: 07:00–22:00, peaking mid-morning
                hour = min(21.99, max(7.0, self.rng.gauss(12.5, 3.5)))
                at = local + timedelta(hours=hour)
                if start <= at < end:
                    out.append((at.astimezone(start.tzinfo), self.rng.choice(sources)))
            local += timedelta(days=1)
        out.sort(key=lambda x: x[0])
        return out

    def _poisson(self, lam: float) -> int:
        # Knuth's method is fine for the small daily rates of a demo
        limit, k, prod = pow(2.718281828459045, -lam), 0, self.rng.random()
        while prod > limit:
            k += 1
            prod *= self.rng.random()
        return k

    def _scan(self, at: datetime) -> None:
        self.clock.set(at)
        with self.p.uow() as uow:
            self.p.cases.scan_sla(uow)

    def _run_until(self, until: datetime, end: datetime) -> None:
        while self.queue and self.queue[0].at <= until:
            step = heapq.heappop(self.queue)
            if step.at > end:
                continue
            self.clock.set(step.at)
            self._apply(step)

    # -- case creation ----------------------------------------------------------------------
    def _create(self, source: CaseSource) -> None:
        lon, lat, chain = self.points[self.rng.randrange(len(self.points))]
        street = chain.at(AreaLevel.street)
        street_code = street.code if street else None
        if source == CaseSource.inspector and self.patrol_leaves:
            category = self.rng.choice(self.patrol_leaves)
            reporter = self.org.inspectors.get(street_code or "", "inspector")
            title = f"巡查发现：{category.name}"
            body = f"网格员巡查时发现{category.name}，位于{chain.smallest.name}，请处置。"
            phone = None
        else:
            msg = pick(self.messages, self.rng)
            category = self.groups.get(msg.group) or self.rng.choice(self.appeal_leaves)
            reporter = "operator"
            title, body = msg.title, msg.body
            phone = f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"
        cmd = NewCase(
            source=source,
            title=title,
            description=body,
            category_code=category.code,
            lon=lon,
            lat=lat,
            address=f"{chain.smallest.name}附近",
            reporter_name=None
            if phone is None
            else self.rng.choice("张王李赵刘陈杨黄周吴") + "先生",
            reporter_phone=phone,
        )
        try:
            with self.p.uow() as uow:
                view = self.p.cases.create_case(uow, self.actor(reporter), cmd)
        except DomainError:
            self.stats.refused += 1
            return
        self.stats.created += 1
        suggested = view.suggested_department.code if view.suggested_department else None
        plan = _CasePlan(view.id, view.version, source, category, street_code, suggested, reporter)
        self.plans[view.id] = plan
        if self._routed(plan):
            return
        if source == CaseSource.inspector and self.rng.random() < 0.12:
            self._after(plan, 0.3, CaseAction.self_handle, reporter, note="现场自行处置完毕")
            return
        roll = self.rng.random()
        if roll < 0.04:
            self._after(plan, 0.4, CaseAction.reject, "operator", reason="不属于受理范围")
        elif roll < 0.06:
            self._after(plan, 0.4, CaseAction.cancel, "dispatcher", reason="重复受理")
        else:
            self._after(plan, self.rng.uniform(0.1, 0.8), CaseAction.register, "operator")

    def _routed(self, plan: _CasePlan) -> bool:
        """Let smart routing see the new appeal now, as the relay does after each commit; when
        it dispatched the case, the plan goes on from there."""
        if plan.source == CaseSource.inspector or not self.p.routing.available:
            return False
        self.p.relay.drain()
        with self.p.read() as s:
            view = self.p.cases.get_case(s, self.actor("dispatcher"), plan.case_id)
        if view.status != CaseStatus.dispatched:
            return False
        plan.version = view.version
        self.stats.routed += 1
        step = _Step(self.clock.now(), next(self.seq), plan.case_id, CaseAction.dispatch, "")
        self._next(plan, step, view.department.code if view.department else None)
        return True

    # -- the workflow -------------------------------------------------------------------------
    def _after(
        self, plan: _CasePlan, delay: float, action: CaseAction, who: str, **cmd: object
    ) -> None:
        """Schedule `action` after `delay` hours of working time (calendar time when urgent)."""
        now = self.clock.now()
        urgent = plan.category.limit(Stage.handle).unit == LimitUnit.calendar_hours
        if urgent:
            at = now + timedelta(hours=delay)
        else:
            at = self.p.calendar.add_working_seconds(now, delay * HOUR)
        heapq.heappush(self.queue, _Step(at, next(self.seq), plan.case_id, action, who, dict(cmd)))

    def _handler_for(self, department_code: str | None) -> str:
        return self.org.handlers.get(department_code or "", "handler")

    def _limit_hours(self, plan: _CasePlan, stage: Stage) -> float:
        limit = plan.category.limit(stage)
        if limit.unit == LimitUnit.working_days:
            return limit.amount * 8
        return limit.amount

    def _apply(self, step: _Step) -> None:
        plan = self.plans[step.case_id]
        cmd = ActionCommand(version=plan.version, **step.command)  # type: ignore[arg-type]
        try:
            with self.p.uow() as uow:
                view = self.p.cases.act(
                    uow, self.actor(step.username), plan.case_id, step.action, cmd
                )
        except DomainError:
            self.stats.refused += 1
            return
        plan.version = view.version
        self.stats.actions += 1
        self.stats.by_action[step.action.value] = self.stats.by_action.get(step.action.value, 0) + 1
        self._next(plan, step, view.department.code if view.department else None)

    def _next(self, plan: _CasePlan, step: _Step, department: str | None) -> None:
        r = self.rng.random
        a = step.action
        if a == CaseAction.register:
            if plan.suggested_department and r() < 0.08:
                # dispatched to the wrong unit; it will be returned
                wrong = self.rng.choice(
                    [c for c in self.org.handlers if c != plan.suggested_department]
                )
                self._after(
                    plan, r() * 1.5, CaseAction.dispatch, "dispatcher", department_code=wrong
                )
            else:
                self._after(plan, r() * 1.5, CaseAction.dispatch, "dispatcher")
        elif a == CaseAction.dispatch:
            handler = self._handler_for(department)
            if plan.suggested_department and department != plan.suggested_department:
                self._after(
                    plan, 1 + r() * 3, CaseAction.return_, handler, reason="不属于本单位职责"
                )
            else:
                self._after(plan, 0.2 + r() * 3, CaseAction.sign, handler)
        elif a == CaseAction.return_:
            self._after(plan, 0.5 + r(), CaseAction.dispatch, "dispatcher")
        elif a == CaseAction.sign:
            handler = self._handler_for(department)
            if r() < 0.05:
                self._after(
                    plan,
                    2 + r() * 4,
                    CaseAction.request_extension,
                    handler,
                    hours=16.0,
                    reason="需协调多个部门，申请延期",
                )
            else:
                self._finish(plan, handler)
        elif a == CaseAction.request_extension:
            decision = CaseAction.approve_extension if r() < 0.85 else CaseAction.deny_extension
            self._after(plan, 0.5 + r() * 2, decision, "shift")
        elif a in (CaseAction.approve_extension, CaseAction.deny_extension):
            self._finish(plan, self._handler_for(department), stretch=1.4)
        elif a == CaseAction.finish:
            verifier = self.org.inspectors.get(plan.street_code or "", "dispatcher")
            if plan.source != CaseSource.inspector and r() < 0.5:
                verifier = "dispatcher"
            passed = r() >= 0.07
            self._after(
                plan,
                1 + r() * 10,
                CaseAction.verify,
                verifier,
                passed=passed,
                note="现场核查通过" if passed else "问题未解决，需返工",
            )
        elif a == CaseAction.verify:
            if step.command.get("passed") is False:
                self._finish(plan, self._handler_for(department), stretch=0.5)
            elif plan.source in (CaseSource.hotline, CaseSource.web, CaseSource.open311):
                self._evaluate(plan)
        elif a == CaseAction.evaluate and step.command.get("contacted") is False:
            self._evaluate(plan, retry=True)  # the citizen did not answer: call again later
        elif a == CaseAction.evaluate and step.command.get("reopen"):
            self._finish(plan, self._handler_for(department), stretch=0.6)

    def _finish(self, plan: _CasePlan, handler: str, *, stretch: float = 1.0) -> None:
        allowed = self._limit_hours(plan, Stage.handle)
        # most units finish well inside the limit; about one in eight runs over
        share = (
            self.rng.uniform(1.05, 1.8) if self.rng.random() < 0.12 else self.rng.uniform(0.1, 0.9)
        )
        self._after(
            plan,
            max(0.2, allowed * share * stretch),
            CaseAction.finish,
            handler,
            note="已到现场处置完毕，附处置后照片",
        )

    def _evaluate(self, plan: _CasePlan, *, retry: bool = False) -> None:
        if not retry and self.rng.random() < 0.06:  # about one first call in 16 goes unanswered
            self._after(
                plan,
                0.5 + self.rng.random() * 4,
                CaseAction.evaluate,
                "operator",
                contacted=False,
                note="回访电话无人接听",
            )
            return
        roll = self.rng.random()
        if roll < 0.74:
            sat = Satisfaction.satisfied
        elif roll < 0.92:
            sat = Satisfaction.basically_satisfied
        else:
            sat = Satisfaction.unsatisfied
        reopen = sat == Satisfaction.unsatisfied and self.rng.random() < 0.4
        self._after(
            plan,
            0.5 + self.rng.random() * 8,
            CaseAction.evaluate,
            "operator",
            contacted=True,
            resolved=sat != Satisfaction.unsatisfied,
            satisfaction=sat,
            reopen=reopen,
        )
