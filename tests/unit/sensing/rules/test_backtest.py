"""The backtest on a real series: the hourly PM2.5 of Beijing's Dongsi station, 2013-2017
(../shared/data/beijing_air_quality), under "pm25 > 150 for 3 h, clear < 115 for 2 h". The
alarms must match a computation written here independently of the evaluator: runs of hourly
values (each value holds until the next reading) above 150 lasting 3 h fire, and runs below 115
lasting 2 h after the firing clear."""

from __future__ import annotations

import csv
import gzip
import itertools
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from cityops.kernel.clock import SHANGHAI
from cityops.sensing.model import Reading
from cityops.sensing.rules.public import NoData, Op, Rule, Scope, Threshold, backtest

HOUR = timedelta(hours=1)
RULE = Rule(
    code="pm25-heavy",
    name="PM2.5 heavy pollution",
    scope=Scope(device_type="air-station"),
    condition=Threshold("pm25", Op.gt, 150),
    for_duration=3 * HOUR,
    clear_condition=Threshold("pm25", Op.lt, 115),
    clear_for=2 * HOUR,
)


def station_series(shared_data: Path, station: str) -> list[Reading]:
    """The station's PM2.5 readings in UTC (the file's hours are Beijing time), gaps left out."""
    path = shared_data / "beijing_air_quality" / f"PRSA_Data_{station}_20130301-20170228.csv.gz"
    out = []
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["PM2.5"] in ("", "NA"):
                continue
            local = datetime(
                int(row["year"]),
                int(row["month"]),
                int(row["day"]),
                int(row["hour"]),
                tzinfo=SHANGHAI,
            )
            out.append(Reading(station, "pm25", local.astimezone(UTC), float(row["PM2.5"])))
    return out


def expected_alarms(
    series: list[tuple[datetime, float]],
) -> list[tuple[datetime, datetime | None, datetime, float]]:
    """(start, end, since, peak) by runs of readings, without the evaluator."""

    def run_from(i: int, test) -> tuple[int, datetime]:  # type: ignore[no-untyped-def]
        """The index of the first reading from i on that fails `test`, and its instant (the
        last reading's instant when all pass)."""
        j = i
        while j < len(series) and test(series[j][1]):
            j += 1
        return j, series[min(j, len(series) - 1)][0]

    alarms = []
    i = 0
    while i < len(series):
        if not series[i][1] > 150:
            i += 1
            continue
        since = series[i][0]
        j, run_end = run_from(i, lambda v: v > 150)
        if run_end - since < 3 * HOUR:
            i = j
            continue
        start = since + 3 * HOUR
        # look for a run below 115 lasting 2 h
        k = j
        end = None
        while k < len(series):
            if not series[k][1] < 115:
                k += 1
                continue
            m, low_end = run_from(k, lambda v: v < 115)
            if low_end - series[k][0] >= 2 * HOUR:
                end = series[k][0] + 2 * HOUR
                break
            k = m
        stop = end or series[-1][0] + timedelta(microseconds=1)
        peak = max(v for ts, v in series if since <= ts < stop)
        alarms.append((start, end, since, peak))
        if end is None:
            break
        i = next((n for n, (ts, _) in enumerate(series) if ts >= end), len(series))
    return alarms


def test_backtest_matches_an_independent_computation_on_dongsi(shared_data: Path) -> None:
    readings = station_series(shared_data, "Dongsi")
    result = backtest(RULE, readings)
    got = [(a.start, a.end, a.since, a.peak) for a in result.alarms]
    want = expected_alarms([(r.ts, r.value) for r in readings])
    assert len(want) > 50  # four Beijing winters: the rule has plenty to say
    assert got == want
    assert result.readings == len(readings)
    assert result.dropped == 0
    summary = result.per_device["Dongsi"]
    assert summary.alarms == len(want)
    total = sum(((e or readings[-1].ts) - s for s, e, _, _ in want), timedelta(0))
    assert summary.duration == total == result.total_duration
    assert all(a.peak is not None and a.peak > 150 for a in result.alarms)


def test_several_devices_at_once_give_each_its_own_alarms(shared_data: Path) -> None:
    a = station_series(shared_data, "Dongsi")[:3000]
    b = station_series(shared_data, "Tiantan")[:3000]
    mixed = sorted(a + b, key=lambda r: (r.ts, r.device_code))
    until = max(a[-1].ts, b[-1].ts)
    together = backtest(RULE, mixed, until=until)
    for alone in (backtest(RULE, a, until=until), backtest(RULE, b, until=until)):
        (device,) = alone.per_device
        mine = [x for x in together.alarms if x.device_code == device]
        assert mine == list(alone.alarms)
        assert together.per_device[device] == alone.per_device[device]
    assert together.count == sum(s.alarms for s in together.per_device.values())


def test_backtest_of_no_data_counts_the_gaps_of_a_real_series(shared_data: Path) -> None:
    readings = station_series(shared_data, "Dongsi")
    rule = Rule(
        code="pm25-silent",
        name="PM2.5 missing",
        scope=Scope(device_type="air-station"),
        condition=NoData("pm25", 6, HOUR),
    )
    result = backtest(rule, readings)
    gaps = [
        (earlier.ts + 6 * HOUR, later.ts)
        for earlier, later in itertools.pairwise(readings)
        if later.ts - earlier.ts >= 6 * HOUR
    ]
    assert gaps  # the station has gaps of six hours and more
    assert [(x.start, x.end) for x in result.alarms] == gaps


@pytest.mark.parametrize("until_hours", [0, 2, 3])
def test_an_alarm_open_at_the_end_of_the_period_has_no_end(until_hours: int) -> None:
    t0 = datetime(2026, 1, 1, tzinfo=UTC)
    readings = [Reading("D1", "pm25", t0 + n * HOUR, 200.0 + n) for n in range(4)]
    until = readings[-1].ts + until_hours * HOUR
    result = backtest(RULE, readings, until=until)
    (alarm,) = result.alarms
    assert alarm.start == t0 + 3 * HOUR
    assert alarm.end is None
    assert alarm.duration == until - alarm.start
    assert alarm.peak == 203.0
