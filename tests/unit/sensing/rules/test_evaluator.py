"""The streaming evaluator: durations, hysteresis, rate, no data, AND/OR, time windows around
midnight in Asia/Shanghai, out-of-order readings and bounded state."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import pytest

from cityops.sensing.model import Reading
from cityops.sensing.rules.public import (
    AllOf,
    AnyOf,
    NoData,
    Op,
    RateOfChange,
    RatePer,
    Rule,
    RuleCleared,
    RuleEvaluator,
    RuleFired,
    Scope,
    Threshold,
    TimeWindow,
    Unchanged,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)  # a Monday, 08:00 in Shanghai
DEVICE = "AQ-001"


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def rule(**fields: object) -> Rule:
    base: dict[str, object] = {
        "code": "r1",
        "name": "test rule",
        "scope": Scope(device_type="air"),
        "condition": Threshold("pm25", Op.gt, 75),
    }
    base.update(fields)
    return Rule(**base)  # type: ignore[arg-type]


def feed(ev: RuleEvaluator, series: list[tuple[float, float]], metric: str = "pm25") -> list:
    out = []
    for at, value in series:
        out += ev.observe(Reading(DEVICE, metric, T0 + minutes(at), value))
    return out


def test_fires_only_after_the_condition_held_for_its_duration() -> None:
    ev = RuleEvaluator(rule(for_duration=minutes(10)), DEVICE)
    assert feed(ev, [(0, 80), (5, 90)]) == []
    assert not ev.firing
    (fired,) = feed(ev, [(12, 85)])
    assert isinstance(fired, RuleFired)
    assert fired.ts == T0 + minutes(10)  # dated when the 10 minutes elapsed
    assert fired.since == T0
    assert fired.values == {"pm25": 90}  # the value in force at minute 10


def test_a_dip_below_resets_the_duration() -> None:
    ev = RuleEvaluator(rule(for_duration=minutes(10)), DEVICE)
    assert feed(ev, [(0, 80), (5, 60), (6, 80), (15, 80)]) == []
    (fired,) = feed(ev, [(16, 80)])
    assert fired.ts == T0 + minutes(16)
    assert fired.since == T0 + minutes(6)


def test_tick_lets_a_duration_elapse_without_new_readings() -> None:
    ev = RuleEvaluator(rule(for_duration=minutes(10)), DEVICE)
    feed(ev, [(0, 80)])
    assert ev.tick(T0 + minutes(9)) == []
    (fired,) = ev.tick(T0 + minutes(30))
    assert fired.ts == T0 + minutes(10)
    assert ev.tick(T0 + minutes(31)) == []


def test_hysteresis_clears_only_when_the_clear_condition_held_for_its_own_duration() -> None:
    ev = RuleEvaluator(
        rule(
            for_duration=minutes(10),
            clear_condition=Threshold("pm25", Op.lt, 50),
            clear_for=minutes(5),
        ),
        DEVICE,
    )
    (fired,) = feed(ev, [(0, 80), (10, 100)])
    assert isinstance(fired, RuleFired)
    # below the threshold but above the clear level: still firing
    assert feed(ev, [(20, 60), (40, 70)]) == []
    assert ev.firing
    # below 50 for 4 minutes, then back up to 55: not cleared
    assert feed(ev, [(41, 40), (45, 55), (60, 30), (64, 45)]) == []
    (cleared,) = feed(ev, [(70, 45)])
    assert isinstance(cleared, RuleCleared)
    assert cleared.ts == T0 + minutes(65)
    assert cleared.fired_at == T0 + minutes(10)
    assert cleared.since == T0
    assert cleared.peak == 100
    assert not ev.firing


def test_default_clear_is_the_negation_with_its_duration() -> None:
    ev = RuleEvaluator(rule(clear_for=minutes(3)), DEVICE)
    (fired,) = feed(ev, [(0, 80)])
    assert fired.ts == T0
    assert feed(ev, [(1, 70), (2, 90), (3, 70)]) == []
    (cleared,) = ev.tick(T0 + minutes(10))
    assert cleared.ts == T0 + minutes(6)
    assert cleared.peak == 90


def test_rate_of_change_per_hour() -> None:
    ev = RuleEvaluator(rule(condition=RateOfChange("level", Op.ge, 30, RatePer.hour)), DEVICE)
    assert feed(ev, [(0, 100), (10, 104)], "level") == []  # 24 per hour
    (fired,) = feed(ev, [(20, 109)], "level")  # 30 per hour
    assert fired.ts == T0 + minutes(20)
    (cleared,) = feed(ev, [(30, 110)], "level")
    assert cleared.ts == T0 + minutes(30)


def test_falling_rate_per_minute() -> None:
    ev = RuleEvaluator(rule(condition=RateOfChange("level", Op.lt, -2)), DEVICE)
    assert feed(ev, [(0, 100), (1, 99)], "level") == []
    assert len(feed(ev, [(2, 96)], "level")) == 1


def test_no_data_fires_after_n_expected_intervals_of_silence() -> None:
    ev = RuleEvaluator(
        rule(condition=NoData("pm25", 3)),
        DEVICE,
        intervals={"pm25": minutes(5)},
        started_at=T0,
    )
    feed(ev, [(0, 10), (5, 11)])
    assert ev.tick(T0 + minutes(19)) == []
    (fired,) = ev.tick(T0 + minutes(25))
    assert fired.ts == T0 + minutes(20)  # 3 x 5 minutes after the last reading
    (cleared,) = feed(ev, [(31, 12)])
    assert cleared.ts == T0 + minutes(31)


def test_no_data_of_a_device_never_heard_counts_from_the_start() -> None:
    ev = RuleEvaluator(rule(condition=NoData(None, 2, minutes(10))), DEVICE, started_at=T0)
    (fired,) = ev.tick(T0 + minutes(45))
    assert fired.ts == T0 + minutes(20)


def test_no_data_any_metric_is_kept_alive_by_any_reading() -> None:
    ev = RuleEvaluator(rule(condition=NoData(None, 2, minutes(10))), DEVICE, started_at=T0)
    feed(ev, [(15, 1)], "temperature")
    assert ev.tick(T0 + minutes(34)) == []
    assert len(ev.tick(T0 + minutes(36))) == 1


def test_all_of_needs_every_metric_and_starts_when_the_last_one_joined() -> None:
    both = AllOf((Threshold("pm25", Op.gt, 75), Threshold("pm10", Op.gt, 150)))
    ev = RuleEvaluator(rule(condition=both, for_duration=minutes(10)), DEVICE)
    feed(ev, [(0, 80)])
    feed(ev, [(4, 160)], "pm10")
    assert ev.tick(T0 + minutes(13)) == []
    (fired,) = ev.tick(T0 + minutes(20))
    assert fired.since == T0 + minutes(4)
    assert fired.values == {"pm25": 80, "pm10": 160}
    (cleared,) = feed(ev, [(21, 100)], "pm10")
    assert cleared.ts == T0 + minutes(21)


def test_any_of_holds_while_one_branch_holds() -> None:
    either = AnyOf((Threshold("pm25", Op.gt, 75), Threshold("pm10", Op.gt, 150)))
    ev = RuleEvaluator(rule(condition=either, for_duration=minutes(10)), DEVICE)
    feed(ev, [(0, 80)])
    feed(ev, [(5, 160)], "pm10")
    feed(ev, [(6, 20)])  # pm25 falls, pm10 still above: the condition still holds
    (fired,) = ev.tick(T0 + minutes(11))
    assert fired.since == T0


def test_unchanged_for_a_duration_detects_a_stuck_sensor() -> None:
    ev = RuleEvaluator(rule(condition=Unchanged("level"), for_duration=minutes(30)), DEVICE)
    assert feed(ev, [(0, 5), (10, 5), (20, 5), (30, 5)], "level") == []
    (fired,) = ev.tick(T0 + minutes(45))
    assert fired.since == T0 + minutes(10)  # from the first repeated reading
    assert fired.ts == T0 + minutes(40)
    (cleared,) = feed(ev, [(50, 6)], "level")
    assert cleared.ts == T0 + minutes(50)


# Friday 22:00 to 06:00 in Shanghai: 14:00 to 22:00 UTC on Friday.
NIGHT = TimeWindow(days=frozenset({5}), start=time(22), end=time(6))
FRIDAY_2130_SH = datetime(2026, 3, 6, 13, 30, tzinfo=UTC)


def test_window_past_midnight_belongs_to_the_day_it_starts() -> None:
    assert not NIGHT.contains(FRIDAY_2130_SH)
    assert NIGHT.contains(FRIDAY_2130_SH + minutes(30))  # Friday 22:00 Shanghai
    assert NIGHT.contains(FRIDAY_2130_SH + minutes(60 * 8 + 29))  # Saturday 05:59
    assert not NIGHT.contains(FRIDAY_2130_SH + minutes(60 * 8 + 30))  # Saturday 06:00
    assert not NIGHT.contains(FRIDAY_2130_SH - timedelta(days=1) + minutes(60 * 8))  # Fri 05:30
    assert NIGHT.occurrence_start(FRIDAY_2130_SH + minutes(300)) == FRIDAY_2130_SH + minutes(30)


def test_window_counts_the_duration_from_its_opening_only() -> None:
    ev = RuleEvaluator(rule(window=NIGHT, for_duration=minutes(20)), DEVICE)
    assert ev.observe(Reading(DEVICE, "pm25", FRIDAY_2130_SH, 90)) == []
    (fired,) = ev.tick(FRIDAY_2130_SH + minutes(60))
    assert fired.since == FRIDAY_2130_SH + minutes(30)
    assert fired.ts == FRIDAY_2130_SH + minutes(50)


def test_window_closing_resets_a_pending_duration_but_not_an_alarm() -> None:
    ev = RuleEvaluator(rule(window=NIGHT, for_duration=minutes(20)), DEVICE)
    saturday_0550 = FRIDAY_2130_SH + minutes(60 * 8 + 20)
    assert ev.observe(Reading(DEVICE, "pm25", saturday_0550, 90)) == []
    assert ev.tick(saturday_0550 + minutes(60)) == []  # the window closed at 06:00
    assert not ev.firing
    ev2 = RuleEvaluator(rule(window=NIGHT, for_duration=minutes(20)), DEVICE)
    ev2.observe(Reading(DEVICE, "pm25", saturday_0550 - minutes(60), 90))
    (fired,) = ev2.tick(saturday_0550 + minutes(60))  # found late, after the close
    assert fired.ts == saturday_0550 - minutes(40)
    assert ev2.tick(saturday_0550 + minutes(600)) == []  # still firing outside the window
    (cleared,) = ev2.observe(Reading(DEVICE, "pm25", saturday_0550 + minutes(700), 10))
    assert isinstance(cleared, RuleCleared)


def test_duplicates_and_out_of_order_readings_are_dropped_and_counted() -> None:
    ev = RuleEvaluator(rule(for_duration=minutes(10)), DEVICE)
    feed(ev, [(0, 80), (5, 80)])
    assert feed(ev, [(5, 10), (3, 10)]) == []  # same instant, then older: dropped
    assert ev.dropped == 2
    (fired,) = feed(ev, [(10, 80)])
    assert fired.since == T0


def test_a_late_reading_is_applied_as_of_the_last_tick() -> None:
    ev = RuleEvaluator(rule(for_duration=minutes(10)), DEVICE)
    feed(ev, [(0, 10)])
    ev.tick(T0 + minutes(20))
    feed(ev, [(15, 90)])  # arrived after the tick at 20
    assert ev.tick(T0 + minutes(29)) == []
    (fired,) = ev.tick(T0 + minutes(31))
    assert fired.since == T0 + minutes(20)


def test_a_reading_of_another_device_is_refused() -> None:
    ev = RuleEvaluator(rule(), DEVICE)
    with pytest.raises(ValueError, match="AQ-002"):
        ev.observe(Reading("AQ-002", "pm25", T0, 1))


def test_state_stays_bounded_over_a_long_stream() -> None:
    either = AnyOf((Threshold("pm25", Op.gt, 75), RateOfChange("pm10", Op.gt, 5)))
    ev = RuleEvaluator(rule(condition=either, for_duration=minutes(10)), DEVICE)
    transitions = 0
    for i in range(20_000):
        metric = ("pm25", "pm10", "no2", f"other{i % 50}")[i % 4]
        transitions += len(feed(ev, [(i, 50 + (i * 37) % 60)], metric))
    assert ev.state_size <= 4  # two readings of each of the rule's two metrics
    assert transitions > 0


def test_hourly_values_above_for_three_hours_fire_when_the_third_hour_ends() -> None:
    ev = RuleEvaluator(rule(for_duration=timedelta(hours=3)), DEVICE)
    assert feed(ev, [(0, 160), (60, 170), (120, 155)]) == []
    fired, cleared = feed(ev, [(180, 50)])  # the fourth value is below: three full hours held
    assert isinstance(fired, RuleFired)
    assert fired.ts == T0 + timedelta(hours=3)
    assert isinstance(cleared, RuleCleared)
    assert cleared.peak == 170
    ev2 = RuleEvaluator(rule(for_duration=timedelta(hours=3)), DEVICE)
    assert feed(ev2, [(0, 160), (60, 170), (119, 50), (180, 155)]) == []


def test_fire_and_clear_found_by_one_late_tick() -> None:
    ev = RuleEvaluator(rule(condition=NoData("pm25", 1, minutes(10))), DEVICE, started_at=T0)
    feed(ev, [(0, 1)])
    (fired,) = ev.tick(T0 + minutes(15))
    assert fired.ts == T0 + minutes(10)
    assert fired.since == T0 + minutes(10)
    (cleared,) = feed(ev, [(16, 2)])
    assert cleared.ts == T0 + minutes(16)
    assert cleared.fired_at == T0 + minutes(10)


def test_an_overlapping_clear_condition_does_not_clear_while_the_condition_holds() -> None:
    ev = RuleEvaluator(rule(clear_condition=Threshold("pm25", Op.lt, 100)), DEVICE)
    (fired,) = feed(ev, [(0, 80)])  # above 75 and below 100 at once
    assert isinstance(fired, RuleFired)
    assert feed(ev, [(1, 90), (2, 85)]) == []
    (cleared,) = feed(ev, [(3, 60)])
    assert cleared.ts == T0 + minutes(3)


def test_no_data_and_a_threshold_together_start_when_the_silence_began() -> None:
    both = AllOf((Threshold("pm25", Op.gt, 75), NoData("pm10", 2, minutes(5))))
    ev = RuleEvaluator(rule(condition=both, for_duration=minutes(5)), DEVICE, started_at=T0)
    feed(ev, [(0, 50)], "pm10")
    feed(ev, [(1, 80)])
    (fired,) = feed(ev, [(30, 85)])  # pm10 silent since minute 0: no data from minute 10
    assert fired.since == T0 + minutes(10)
    assert fired.ts == T0 + minutes(15)


def test_a_silence_that_begins_again_stops_a_pending_clear() -> None:
    ev = RuleEvaluator(
        rule(condition=NoData("pm25", 1, minutes(5)), clear_for=minutes(10)), DEVICE, started_at=T0
    )
    (fired,) = ev.tick(T0 + minutes(6))
    assert fired.ts == T0 + minutes(5)
    assert feed(ev, [(7, 1)]) == []  # data again, but the clear needs 10 minutes
    assert ev.tick(T0 + minutes(30)) == []  # silent again from minute 12: no clear
    assert ev.firing
    feed(ev, [(31, 1), (34, 1), (38, 1)])
    (cleared,) = ev.tick(T0 + minutes(41))
    assert cleared.ts == T0 + minutes(41)


def test_a_silence_that_completes_inside_a_window_is_found_after_it_closed() -> None:
    evening = TimeWindow(start=time(18), end=time(20))  # 10:00-12:00 UTC every day
    ev = RuleEvaluator(
        rule(condition=NoData("pm25", 1, minutes(30)), window=evening, for_duration=minutes(20)),
        DEVICE,
    )
    monday_1800_sh = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    ev.observe(Reading(DEVICE, "pm25", monday_1800_sh + minutes(10), 1))
    (fired,) = ev.tick(monday_1800_sh + minutes(300))  # silent from 18:40, fired 19:00
    assert fired.since == monday_1800_sh + minutes(40)
    assert fired.ts == monday_1800_sh + minutes(60)


def test_an_evaluator_resumes_a_stored_alarm_and_clears_it() -> None:
    ev = RuleEvaluator(rule(clear_condition=Threshold("pm25", Op.lt, 50)), DEVICE)
    ev.resume(T0, since=T0 - minutes(10))
    assert ev.firing
    assert feed(ev, [(5, 90), (6, 60)]) == []  # still firing: no second RuleFired
    (cleared,) = feed(ev, [(7, 40)])
    assert cleared.fired_at == T0
    assert cleared.since == T0 - minutes(10)


def test_naive_instants_are_refused() -> None:
    ev = RuleEvaluator(rule(), DEVICE)
    with pytest.raises(ValueError, match="timezone"):
        ev.tick(datetime(2026, 3, 2, 8, 0))
