"""The words alarms and their history say to an operation centre (城运中心): plain Chinese, with
metric codes, numbers and instants (Beijing time, to the minute) exactly as precise as the data."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sensing_series import daily_noise, hourly

from cityops.sensing.alarms.public import (
    AlarmBook,
    AlarmCleared,
    AlarmRaised,
    BookSettings,
    DevicePlace,
    GroupChanged,
    decide_case,
)
from cityops.sensing.anomaly.public import StuckDetector
from cityops.sensing.anomaly_alarms import AnomalyAlarms
from cityops.sensing.model import Reading
from cityops.sensing.rules.public import (
    AllOf,
    AnyOf,
    Condition,
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
    Unchanged,
    describe,
)

T0 = datetime(2026, 11, 23, 0, 55, tzinfo=UTC)  # 08:55 in Beijing
PM25 = Threshold("pm25", Op.gt, 150)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def pm25_rule(**fields: object) -> Rule:
    return Rule(
        code="pm25-high",
        name="PM2.5超标",
        scope=Scope(device_type="air_quality"),
        condition=PM25,
        for_duration=timedelta(minutes=10),
        **fields,  # type: ignore[arg-type]
    )


def test_a_threshold_rule_fires_and_clears_in_chinese_with_beijing_time() -> None:
    ev = RuleEvaluator(pm25_rule(), "AQ-1")
    assert ev.observe(Reading("AQ-1", "pm25", at(0), 180.5)) == []
    (fired,) = ev.observe(Reading("AQ-1", "pm25", at(12), 190))
    assert isinstance(fired, RuleFired)
    assert fired.text == "PM2.5超标：pm25 > 150，自 2026-11-23 08:55 起"
    (cleared,) = ev.observe(Reading("AQ-1", "pm25", at(45), 90))
    assert isinstance(cleared, RuleCleared)
    assert cleared.text == "PM2.5超标 已恢复：pm25 不再 > 150（自 2026-11-23 09:40 起）"


def test_a_clear_condition_is_said_as_it_is() -> None:
    ev = RuleEvaluator(pm25_rule(clear_condition=Threshold("pm25", Op.lt, 115.5)), "AQ-1")
    ev.observe(Reading("AQ-1", "pm25", at(0), 180))
    ev.observe(Reading("AQ-1", "pm25", at(12), 190))
    (cleared,) = ev.observe(Reading("AQ-1", "pm25", at(65), 100))
    assert cleared.text == "PM2.5超标 已恢复：pm25 < 115.5（自 2026-11-23 10:00 起）"


def test_a_no_data_rule_clears_when_data_comes_again() -> None:
    rule = Rule(
        code="aq-silent",
        name="空气站无数据",
        scope=Scope(device_type="air_quality"),
        condition=NoData(None, 3, timedelta(minutes=5)),
    )
    ev = RuleEvaluator(rule, "AQ-1", started_at=T0)
    (fired,) = ev.tick(at(15))
    assert fired.text == "空气站无数据：连续 3 个周期无数据，自 2026-11-23 09:10 起"
    (cleared,) = ev.observe(Reading("AQ-1", "pm25", at(20), 40))
    assert cleared.text == "空气站无数据 已恢复：重新有数据（自 2026-11-23 09:15 起）"


@pytest.mark.parametrize(
    ("condition", "text"),
    [
        (PM25, "pm25 > 150"),
        (Threshold("temp", Op.le, -0.5), "temp <= -0.5"),
        (RateOfChange("level", Op.gt, 5, RatePer.minute), "level 变化率 > 5/分钟"),
        (RateOfChange("level", Op.lt, -20, RatePer.hour), "level 变化率 < -20/小时"),
        (NoData("pm10", 6), "pm10 连续 6 个周期无数据"),
        (Unchanged("level"), "level 读数不变"),
        (
            AllOf((PM25, AnyOf((Threshold("pm10", Op.ge, 250), Unchanged("co"))))),
            "（pm25 > 150 且 （pm10 >= 250 或 co 读数不变））",
        ),
    ],
)
def test_conditions_read_as_chinese(condition: Condition, text: str) -> None:
    assert describe(condition) == text


def test_an_anomaly_alarm_says_what_was_seen_and_clears_after_its_quiet_time() -> None:
    values = daily_noise(200, 4)
    values[150] += 40
    alarms = AnomalyAlarms(quiet=timedelta(hours=6))
    found = []
    for i, value in enumerate(values):
        found += alarms.observe(Reading("AQ-1", "pm25", hourly(i), value), "air_quality")
    (fired,) = found
    assert fired.text.startswith(f"数据尖峰：pm25 读数 {values[150]:g} 偏离近期水平 ")
    assert "个稳健标准差（尺度 " in fired.text
    assert fired.text.endswith(f"；下一个值 {values[151]:g} 已回到近期水平")
    (cleared,) = alarms.tick(hourly(150) + timedelta(hours=6))
    assert cleared.text == "已恢复：6 小时内未再出现数据尖峰"


def test_a_stuck_value_is_dated_in_beijing_time() -> None:
    values = daily_noise(200, 6)
    values[100:110] = [values[100]] * 10  # hourly(100) is 2025-01-10 04:00 UTC
    detector = StuckDetector("AQ-1", "no2")
    found = [a for i, v in enumerate(values) for a in detector.feed(hourly(i), v)]
    assert [a.explanation for a in found] == [
        f"no2 自 2025-01-10 12:00 起连续 8 次上报同一读数 {values[100]:g}，而该指标平时有波动"
    ]


def test_silent_devices_group_and_come_back_in_chinese() -> None:
    book = AlarmBook(BookSettings(group_size=3), new_id=iter(map(str, range(100))).__next__)
    gateway = DevicePlace(area_code="330102001", gateway_code="GW-7")
    assert book.silent("D1", gateway, at(0)) == []
    assert book.silent("D2", gateway, at(1)) == []
    (raised,) = book.silent("D3", gateway, at(2))
    assert isinstance(raised, AlarmRaised)
    assert raised.alarm.text == "网关 GW-7 下 3 台设备同时离线"
    assert raised.alarm.key == "group:gateway:GW-7"  # keys stay as they are
    (joined,) = book.silent("D4", gateway, at(3))
    assert isinstance(joined, GroupChanged)
    assert joined.alarm.history[-1].note == "设备 D4 离线"
    (left,) = book.back("D1", at(10))
    assert left.alarm.history[-1].note == "设备 D1 恢复上报"
    decision = decide_case(raised.alarm, None, om_unit_code="GSGS")
    assert decision.reason == "设备故障（离线）：转运维案件，由设备运维单位处置"

    by_area = AlarmBook(BookSettings(group_size=2), new_id=iter(map(str, range(100))).__next__)
    area = DevicePlace(area_code="330102001")
    by_area.silent("E1", area, at(0))
    (raised,) = by_area.silent("E2", area, at(1))
    assert raised.alarm.text == "区域 330102001 下 2 台设备同时离线"


def test_a_lone_silent_device_and_an_escalation_read_as_chinese() -> None:
    book = AlarmBook(new_id=iter(map(str, range(100))).__next__)
    book.silent("D1", DevicePlace(area_code="330102001"), at(0))
    (raised, *escalated) = book.tick(at(40))
    assert isinstance(raised, AlarmRaised)
    assert raised.alarm.text == "设备 D1 离线"
    assert [e.alarm.history[-1].note for e in escalated] == ["升级至 1 级"]
    (back,) = book.back("D1", at(41))
    assert isinstance(back, AlarmCleared)
    assert back.alarm.history[-1].note == "设备 D1 恢复上报"
