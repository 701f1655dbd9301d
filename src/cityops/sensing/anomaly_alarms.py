"""Anomalies as alarms: the detectors of sensing/anomaly run beside the rules in the alarm
runner, and what they find goes through the same convergence book as a rule's firing.

Each anomaly kind is a built-in rule of its own (`anomaly.spike`, `anomaly.stuck`,
`anomaly.drift`), never stored and never edited: an anomaly of a kind on a device raises that
rule's alarm, further anomalies of the kind count as its repeats, and the alarm clears once the
device has shown none of that kind for `quiet` (6 h: the detectors were tuned on hourly air
series). A stuck value is a device fault (恒值故障): its alarm opens a maintenance case for the
device's O&M unit like an offline device. The detectors keep a window per (device, metric) — the
drift detector four weeks of hourly values — so they run only for the device types named in
`types` (by default the air and water quality stations whose series they were measured on,
docs/sensing/anomalies.md); neighbour disagreement needs station positions and is not run here.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cityops.sensing.anomaly.public import AnomalyKind, AnomalyPipeline, DetectorSettings
from cityops.sensing.model import Reading
from cityops.sensing.rules.public import (
    DeviceFault,
    Rule,
    RuleCleared,
    RuleFired,
    Scope,
    Severity,
    Transition,
    Unchanged,
)

PREFIX = "anomaly."
DEFAULT_TYPES = frozenset({"air_quality", "water_quality"})
KINDS = (AnomalyKind.spike, AnomalyKind.stuck, AnomalyKind.drift)
_NAMES = {
    AnomalyKind.spike: "数据尖峰",
    AnomalyKind.stuck: "数据恒值",
    AnomalyKind.drift: "数据漂移",
}


def anomaly_rule(kind: AnomalyKind) -> Rule:
    """The built-in rule whose alarms an anomaly of `kind` raises."""
    return Rule(
        code=f"{PREFIX}{kind.value}",
        name=_NAMES[kind],
        scope=Scope(device_type="any"),  # not matched: the runner feeds the detectors itself
        condition=Unchanged("value"),  # never evaluated: the detectors decide
        severity=Severity.major if kind == AnomalyKind.stuck else Severity.minor,
        fault=DeviceFault.stuck if kind == AnomalyKind.stuck else None,
    )


RULES = {kind: anomaly_rule(kind) for kind in KINDS}
FAULT_RULE_CODES = tuple(r.code for r in RULES.values() if r.fault is not None)


class AnomalyAlarms:
    def __init__(
        self,
        types: frozenset[str] = DEFAULT_TYPES,
        *,
        quiet: timedelta = timedelta(hours=6),
        settings: DetectorSettings | None = None,
    ) -> None:
        self.types = types
        self.quiet = quiet
        self._pipeline = AnomalyPipeline(settings or DetectorSettings(kinds=frozenset(KINDS)))
        # (device, kind) → (fired at, last anomaly at), for the alarms raised and not cleared
        self._active: dict[tuple[str, AnomalyKind], tuple[datetime, datetime]] = {}

    def observe(self, reading: Reading, device_type: str) -> list[Transition]:
        """The transitions one reading brings: a firing for a kind not yet active."""
        if device_type not in self.types:
            return []
        out: list[Transition] = []
        for found in self._pipeline.feed(reading):
            if found.kind not in RULES:
                continue
            key = (found.device_code, found.kind)
            held = self._active.get(key)
            if held is None:
                self._active[key] = (found.ts, found.ts)
            else:
                self._active[key] = (held[0], max(held[1], found.ts))
            out.append(
                RuleFired(
                    RULES[found.kind],
                    found.device_code,
                    found.ts,
                    found.ts,
                    {found.metric: reading.value},
                    f"{RULES[found.kind].name}：{found.explanation}",
                )
            )
        return out

    def tick(self, now: datetime) -> list[Transition]:
        """Clear the alarms of kinds a device has not shown for `quiet`."""
        out: list[Transition] = []
        for (code, kind), (fired_at, last) in list(self._active.items()):
            if now - last >= self.quiet:
                del self._active[(code, kind)]
                out.append(
                    RuleCleared(
                        RULES[kind],
                        code,
                        now,
                        fired_at,
                        fired_at,
                        None,
                        {},
                        f"已恢复：{_span(self.quiet)}内未再出现{RULES[kind].name}",
                    )
                )
        return out

    def resume(self, device_code: str, rule_code: str, since: datetime) -> None:
        """An anomaly alarm still active at start: cleared after `quiet` unless seen again."""
        kind = AnomalyKind(rule_code.removeprefix(PREFIX))
        self._active[(device_code, kind)] = (since, since)

    @property
    def active(self) -> int:
        return len(self._active)


def _span(span: timedelta) -> str:
    """A duration in words, exactly: `6 小时`, `90 分钟`, `45 秒`."""
    seconds = span.total_seconds()
    if seconds % 3600 == 0:
        return f"{int(seconds) // 3600} 小时"
    if seconds % 60 == 0:
        return f"{int(seconds) // 60} 分钟"
    return f"{seconds:g} 秒"
