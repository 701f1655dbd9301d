"""The alarm runner (告警引擎): committed readings → rule evaluators → convergence book → alarms.

One runner per deployment, in the lease holder (the job `step`, every `BUSY_SECONDS`). A pass
reads the oldest reading-log rows (≤ `batch_logs`), feeds each reading to the evaluators of the
rules whose scope holds its device (state per rule and device, ≤ `max_evaluators`, least
recently used dropped first), hands their transitions to the book (repeats, flapping, groups,
suppression) and stores its decisions — alarms, history lines, outbox events — in one
transaction with the deletion of the rows evaluated. After a pass that found readings, or once
this process's own writer committed a batch (`wake`), the next poll is at the next step (50 ms);
an idle poll waits twice as long each time, up to `IDLE_MAX_SECONDS`. Time alone runs every
`TICK_SECONDS`; silent devices are looked for every `inactivity_seconds`, alarms unacknowledged
escalated every `escalate_seconds`, and what people did (acknowledged, cleared by hand) taken
into the book every `RECONCILE_SECONDS`. On start and after a failed write the state is read
again from the store: open alarms fill the book, active rule alarms start their evaluators as
firing, devices in maintenance are suppressed; the rows of a failed pass stay for the next.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session

from cityops.infra.outbox import UnitOfWork
from cityops.kernel.clock import Clock
from cityops.sensing import alarm_store, devices, rule_store, series
from cityops.sensing.alarm_persist import Decided, store_decisions, store_escalations, to_book
from cityops.sensing.alarm_store import DeviceFacts, DeviceFactsCache
from cityops.sensing.alarms import public as book_api
from cityops.sensing.anomaly_alarms import PREFIX as ANOMALY
from cityops.sensing.anomaly_alarms import AnomalyAlarms
from cityops.sensing.model import DeviceStatus, Reading
from cityops.sensing.rules.public import Rule, RuleEvaluator, Transition

log = logging.getLogger(__name__)

Reads = Callable[[], AbstractContextManager[Session]]
Uows = Callable[[], AbstractContextManager[UnitOfWork]]

BUSY_SECONDS = 0.05  # the step's interval: the next poll after a pass that found readings
IDLE_MAX_SECONDS = 0.2  # the longest wait between polls when nothing comes
DRAIN_SECONDS = 1.0  # a step goes on reading while readings come, at most this long
TICK_SECONDS = 1.0
RECONCILE_SECONDS = 5.0
RULES_SECONDS = 2.0
DEVICE_TTL_SECONDS = 10.0
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_FOREVER = datetime(2999, 1, 1, tzinfo=UTC)
# the book never escalates: people acknowledge alarms in the store, the escalation pass reads it
_BOOK_ESCALATES_NEVER: tuple[tuple[book_api.Severity, timedelta], ...] = ()


class AlarmRunner:
    def __init__(
        self,
        *,
        reads: Reads,
        uows: Uows,
        clock: Clock,
        settings: book_api.BookSettings | None = None,
        batch_logs: int = 200,
        max_evaluators: int = 200_000,
        inactivity_seconds: float = 30.0,
        escalate_seconds: float = 30.0,
        wake: Callable[[], int] | None = None,
    ) -> None:
        """`wake`: a counter that moves when this process's writer committed a batch (the
        next step then polls at once, whatever the back-off)."""
        self._reads = reads
        self._uows = uows
        self._clock = clock
        self.settings = settings or book_api.BookSettings()
        self._book_settings = replace(self.settings, escalate_after=_BOOK_ESCALATES_NEVER)
        self._batch_logs = batch_logs
        self._max_evaluators = max_evaluators
        self._inactivity_every = inactivity_seconds
        self._escalate_every = escalate_seconds
        self._lock = threading.RLock()
        self._book: book_api.AlarmBook | None = None
        self._ids: dict[str, int] = {}  # book alarm id → stored id, for alarms raised here
        self._firing: dict[str, datetime] = {}  # rule alarm key → when it fired (active)
        self._silent: dict[str, int] = {}  # device → instant (ms) after which data means back
        self._maintenance: set[str] = set()
        self._evaluators: OrderedDict[tuple[str, str], RuleEvaluator] = OrderedDict()
        self._rules: dict[str, Rule] = {}
        self._timed: set[str] = set()  # rules whose state time alone can change
        self._rule_stamp: dict[str, tuple[int, bool]] = {}
        self._rules_of: dict[str, tuple[Rule, ...]] = {}  # device → the rules that watch it
        self._intervals: dict[str, dict[str, timedelta]] = {}
        self._facts = DeviceFactsCache(DEVICE_TTL_SECONDS)
        self._wait = BUSY_SECONDS
        self._next_poll = 0.0
        self.wake = wake  # None: ingestion runs in other processes only
        self._woken = -1
        self._last: dict[str, float] = {}
        self.evaluated = 0  # readings evaluated since start (for the benchmark)
        self.anomalies = AnomalyAlarms()  # the detectors, beside the rules (anomaly_alarms.py)

    # -- the scheduled job -----------------------------------------------------------------
    def step(self) -> None:
        """One step of the job: poll the reading log when due (draining it while readings
        come), then whatever periodic pass is due."""
        with self._lock:
            now_m = time.monotonic()
            woken = self.wake() if self.wake is not None else self._woken
            if woken != self._woken:
                self._woken, self._next_poll = woken, now_m
            if now_m >= self._next_poll:
                found = came = self.process_readings() > 0
                while found and time.monotonic() - now_m < DRAIN_SECONDS:
                    found = self.process_readings() > 0
                self._wait = BUSY_SECONDS if came else min(IDLE_MAX_SECONDS, self._wait * 2)
                self._next_poll = time.monotonic() + self._wait - BUSY_SECONDS
            for name, every, run in (
                ("tick", TICK_SECONDS, self.tick),
                ("inactivity", self._inactivity_every, self.check_inactivity),
                ("escalate", self._escalate_every, self.escalate),
                ("reconcile", RECONCILE_SECONDS, self.reconcile),
            ):
                if time.monotonic() - self._last.get(name, 0.0) >= every:
                    self._last[name] = time.monotonic()
                    run()

    # -- readings --------------------------------------------------------------------------
    def process_readings(self) -> int:
        """Evaluate the oldest pending reading-log rows; the number of readings evaluated."""
        with self._lock:
            book = self._ensure_loaded()
            self._refresh_rules()
            with self._reads() as session:
                logs = series.pending_reading_logs(session.connection(), self._batch_logs)
                codes = sorted({str(r[0]) for _, rows in logs for r in rows})
                facts = self._facts.get_many(session, codes)
            if not logs:
                return 0
            decided: list[Decided] = self._sync_maintenance(facts.values())
            count = 0
            for _, rows in logs:
                for code, metric, ts_ms, value in rows:
                    device = facts.get(str(code))
                    if device is None or device.status == DeviceStatus.retired:
                        continue
                    count += 1
                    ts = datetime.fromtimestamp(int(ts_ms) / 1000, UTC)
                    held = self._silent.get(device.code)
                    if held is not None and int(ts_ms) > held:
                        del self._silent[device.code]
                        decided += [Decided(d) for d in book.back(device.code, ts)]
                    reading = Reading(device.code, str(metric), ts, float(value))
                    for rule in self._rules_for(device):
                        evaluator = self._evaluator(rule, device)
                        decided += self._apply(evaluator.observe(reading), device)
                    found = self.anomalies.observe(reading, device.type_code)
                    decided += self._apply(found, device)
            self._write(decided, [log_id for log_id, _ in logs])
            self.evaluated += count
            return max(count, 1)

    def tick(self) -> None:
        """Let time run for the evaluators of rules that depend on it, and for the book."""
        with self._lock:
            book = self._ensure_loaded()
            now = self._clock.now()
            decided: list[Decided] = []
            for (rule_code, code), evaluator in list(self._evaluators.items()):
                if rule_code in self._timed:
                    device = self._facts.of(code)
                    if device is not None:
                        decided += self._apply(evaluator.tick(now), device)
            for transition in self.anomalies.tick(now):
                device = self._facts.of(transition.device_code)
                if device is not None:
                    decided += self._apply([transition], device)
            decided += [Decided(d) for d in book.tick(now)]
            self._write(decided, [])

    def _apply(self, transitions: list[Transition], device: DeviceFacts) -> list[Decided]:
        assert self._book is not None
        place = book_api.DevicePlace(device.area_code or None, device.gateway_code or None)
        out: list[Decided] = []
        for transition in transitions:
            out += [
                Decided(d, dict(transition.values), device.id)
                for d in self._book.apply(transition, place)
            ]
        return out

    # -- silent devices --------------------------------------------------------------------
    def check_inactivity(self) -> None:
        """Devices whose newest value is older than their inactivity timeout go silent (one
        group alarm when many of a gateway or area go together); those reporting again
        clear."""
        with self._lock:
            book = self._ensure_loaded()
            now = self._clock.now()
            now_ms = int(now.timestamp() * 1000)
            with self._reads() as session:
                silent = alarm_store.silent_devices(session, now_ms)
                came_back = [c for c in self._silent if c not in {f.code for f, _ in silent}]
                newest = alarm_store.newest_ts(session, came_back) if came_back else {}
            decided = self._sync_maintenance([f for f, _ in silent])
            for device, last_ms in silent:
                self._facts.remember(device)
                if device.code in self._silent:
                    continue
                self._silent[device.code] = last_ms
                at = datetime.fromtimestamp(last_ms / 1000, UTC) + timedelta(
                    seconds=device.inactivity_seconds
                )
                place = book_api.DevicePlace(device.area_code or None, device.gateway_code or None)
                decided += [
                    Decided(d, device_id=device.id) for d in book.silent(device.code, place, at)
                ]
            for code in came_back:
                if newest.get(code, 0) > self._silent[code]:
                    del self._silent[code]
                    decided += [Decided(d) for d in book.back(code, now)]
            decided += [Decided(d) for d in book.tick(now)]
            self._write(decided, [])

    # -- escalation ------------------------------------------------------------------------
    def escalate(self) -> None:
        """Active alarms unacknowledged for their severity's period go up a level (升级)."""
        with self._lock:
            now = self._clock.now()
            with self._reads() as session:
                waiting = alarm_store.unacknowledged_active(session)
            due = []
            for record in waiting:
                level = book_api.escalation_due(to_book(record), self.settings, now)
                if level > record.escalation:
                    due.append((record, level))
            if not due:
                return
            with self._uows() as uow:
                store_escalations(uow, due, now)

    # -- what people did -------------------------------------------------------------------
    def reconcile(self) -> None:
        """Take acknowledgements and manual clears made in the store into the book."""
        with self._lock:
            book = self._ensure_loaded()
            held = {a.alarm_id: a for a in book.open_alarms()}
            ids = {self._stored_id(i): i for i in held}
            with self._reads() as session:
                flags = alarm_store.alarm_flags(session, list(ids))
            cleared_by_hand = False
            now = self._clock.now()
            for stored, (active, acked) in flags.items():
                alarm = held[ids[stored]]
                if alarm.active and not active:
                    cleared_by_hand = True
                elif acked and not alarm.acked:
                    book.acknowledge(alarm.alarm_id, "", now)
            missing = [s for s in ids if s not in flags]
            if cleared_by_hand or missing:
                self.reload(keep_evaluators=True)
                return
            open_now = {a.alarm_id for a in book.open_alarms()}
            self._ids = {k: v for k, v in self._ids.items() if k in open_now}

    # -- state -----------------------------------------------------------------------------
    def reload(self, *, keep_evaluators: bool = False) -> None:
        """Read the book's state from the store again (on start and after a failed write)."""
        with self._lock:
            self._book = None
            if not keep_evaluators:
                self._evaluators.clear()
            self._ensure_loaded()

    def _ensure_loaded(self) -> book_api.AlarmBook:
        if self._book is not None:
            return self._book
        with self._reads() as session:
            stored = alarm_store.open_alarms(session)
            maintenance = alarm_store.devices_in_status(session, DeviceStatus.maintenance.value)
            kinds = devices.load_types(session)
        self._intervals = {k.code: {m.key: m.interval for m in k.metrics} for k in kinds}
        self._book = book_api.AlarmBook(self._book_settings, alarms=[to_book(r) for r in stored])
        self._ids = {}
        self._firing = {r.key: r.first_at for r in stored if r.kind == "rule" and r.active}
        self._silent = {}
        for record in stored:
            if not record.active:
                continue
            since = int(record.first_at.timestamp() * 1000)
            if record.kind == "offline" and record.device_code:
                self._silent[record.device_code] = since
            if record.rule_code.startswith(ANOMALY) and record.device_code:
                self.anomalies.resume(record.device_code, record.rule_code, record.first_at)
            for member in record.members:
                self._silent[member] = since
        self._maintenance = set()
        self._sync_maintenance(maintenance)
        return self._book

    def _sync_maintenance(self, facts: object) -> list[Decided]:
        """Suppress the alarms of devices in maintenance; lift it when they are active again
        (a rule still firing is raised then)."""
        assert self._book is not None
        out: list[Decided] = []
        for device in facts:  # type: ignore[attr-defined]
            key = f"maintenance:{device.code}"
            if device.status == DeviceStatus.maintenance and device.code not in self._maintenance:
                self._maintenance.add(device.code)
                self._book.suppress(
                    book_api.Suppression(
                        key, _EPOCH, _FOREVER, device_code=device.code, reason="maintenance"
                    )
                )
            elif device.status != DeviceStatus.maintenance and device.code in self._maintenance:
                self._maintenance.discard(device.code)
                out += [Decided(d) for d in self._book.lift(key, self._clock.now())]
        return out

    def _refresh_rules(self) -> None:
        if time.monotonic() - self._last.get("rules", -1e9) < RULES_SECONDS:
            return
        self._last["rules"] = time.monotonic()
        with self._reads() as session:
            stored = rule_store.list_rules(session)
        stamp = {s.rule.code: (s.rule.version, s.rule.enabled) for s in stored}
        if stamp == self._rule_stamp:
            return
        changed = {
            c for c in set(stamp) | set(self._rule_stamp) if stamp.get(c) != self._rule_stamp.get(c)
        }
        self._rule_stamp = stamp
        self._rules = {s.rule.code: s.rule for s in stored if s.rule.enabled}
        self._timed = {
            code for code, rule in self._rules.items() if rule_store.time_dependent(rule)
        }
        self._rules_of.clear()
        for key in [k for k in self._evaluators if k[0] in changed]:
            del self._evaluators[key]

    def rules_changed(self) -> None:
        """Read the rules again at the next pass (after a save or an import here)."""
        with self._lock:
            self._last.pop("rules", None)

    def _rules_for(self, device: DeviceFacts) -> tuple[Rule, ...]:
        found = self._rules_of.get(device.code)
        if found is None:
            found = tuple(
                r
                for r in self._rules.values()
                if r.scope.matches(
                    device_type=device.type_code,
                    area_code=device.area_code,
                    device_code=device.code,
                )
            )
            if len(self._rules_of) > 500_000:
                self._rules_of.clear()
            self._rules_of[device.code] = found
        return found

    def _evaluator(self, rule: Rule, device: DeviceFacts) -> RuleEvaluator:
        key = (rule.code, device.code)
        evaluator = self._evaluators.get(key)
        if evaluator is not None:
            self._evaluators.move_to_end(key)
            return evaluator
        evaluator = RuleEvaluator(
            rule, device.code, intervals=self._intervals.get(device.type_code)
        )
        fired = self._firing.get(book_api.rule_alarm_key(rule.code, device.code))
        if fired is not None:
            evaluator.resume(fired)
        self._evaluators[key] = evaluator
        while len(self._evaluators) > self._max_evaluators:
            self._evaluators.popitem(last=False)
        return evaluator

    def _stored_id(self, alarm_id: str) -> int:
        return self._ids.get(alarm_id) or int(alarm_id)

    def _write(self, decided: list[Decided], log_ids: list[int]) -> None:
        if not decided and not log_ids:
            return
        try:
            with self._uows() as uow:
                store_decisions(
                    uow, decided, self._ids, self._firing, self._facts.of, self._clock.now()
                )
                series.delete_reading_logs(uow.session.connection(), log_ids)
        except Exception:
            log.exception("alarm decisions not stored; the runner reads its state again")
            self.reload()
            raise

    @property
    def state_size(self) -> Mapping[str, int]:
        book = self._book
        return {
            "evaluators": len(self._evaluators),
            "book": 0 if book is None else book.state_size,
            "silent": len(self._silent),
        }
