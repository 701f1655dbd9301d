"""The alarm book: repeats counted, flapping damped, many silent devices as one group alarm,
suppression during maintenance, escalation, ack and clear as independent flags, bounded state."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from cityops.kernel.errors import NotFound, ValidationFailed
from cityops.sensing.alarms.public import (
    AlarmBook,
    AlarmCleared,
    AlarmEscalated,
    AlarmFlapping,
    AlarmKind,
    AlarmRaised,
    AlarmRepeated,
    AlarmSettled,
    AlarmSuppressed,
    BookSettings,
    DevicePlace,
    GroupChanged,
    Suppression,
)
from cityops.sensing.model import Reading
from cityops.sensing.rules.public import (
    DeviceFault,
    Op,
    Rule,
    RuleCleared,
    RuleEvaluator,
    RuleFired,
    Scope,
    Severity,
    Threshold,
)

T0 = datetime(2026, 3, 2, 0, 0, tzinfo=UTC)
AREA = "330103001"
PLACE = DevicePlace(area_code=AREA, gateway_code="GW-1")
RULE = Rule(
    code="pm25-high",
    name="PM2.5 high",
    scope=Scope(device_type="air"),
    condition=Threshold("pm25", Op.gt, 75),
    severity=Severity.major,
)


def m(n: float) -> datetime:
    return T0 + timedelta(minutes=n)


def fired(at: float, device: str = "D1", rule: Rule = RULE) -> RuleFired:
    return RuleFired(rule, device, m(at), m(at), {"pm25": 90.0}, "pm25 > 75")


def cleared(at: float, device: str = "D1", rule: Rule = RULE) -> RuleCleared:
    return RuleCleared(rule, device, m(at), m(at - 1), m(at - 1), 90.0, {"pm25": 10.0}, "ok")


def ids() -> itertools.count[int]:
    return itertools.count(1)


def book(**settings: object) -> AlarmBook:
    """A book with numbered ids; no escalation unless a test asks for it."""
    settings.setdefault("escalate_after", ())
    counter = ids()
    return AlarmBook(BookSettings(**settings), new_id=lambda: f"A{next(counter)}")  # type: ignore[arg-type]


def kinds(decisions: list) -> list[str]:
    return [type(d).__name__ for d in decisions]


def test_a_repeat_of_an_active_alarm_raises_its_count() -> None:
    b = book()
    (raised,) = b.fired(fired(0), PLACE)
    assert isinstance(raised, AlarmRaised)
    (again,) = b.fired(fired(5), PLACE)  # e.g. the evaluator was restarted
    assert isinstance(again, AlarmRepeated)
    assert again.alarm.alarm_id == raised.alarm.alarm_id
    assert again.alarm.count == 2
    assert again.alarm.last_at == m(5)
    assert again.alarm.first_at == m(0)
    assert len(b.open_alarms()) == 1
    (other,) = b.fired(fired(6, device="D2"), PLACE)
    assert isinstance(other, AlarmRaised)
    assert other.alarm.alarm_id != raised.alarm.alarm_id


def test_ack_and_clear_are_independent_flags() -> None:
    b = book()
    (first,) = b.fired(fired(0), PLACE)
    acked = b.acknowledge(first.alarm.alarm_id, "ops.li", m(1))
    assert acked.acked
    assert acked.active
    (done,) = b.cleared(cleared(10), PLACE)
    assert isinstance(done, AlarmCleared)
    assert done.alarm.closed
    assert b.open_alarms() == []  # cleared and acknowledged: it leaves the book
    (second,) = b.fired(fired(20), PLACE)
    (gone,) = b.cleared(cleared(30), PLACE)
    assert not gone.alarm.active
    assert not gone.alarm.acked
    assert [a.alarm_id for a in b.open_alarms()] == [second.alarm.alarm_id]  # still to ack
    assert b.acknowledge(second.alarm.alarm_id, "ops.li", m(31)).closed
    with pytest.raises(NotFound):
        b.get(second.alarm.alarm_id)
    actions = [h.action for h in gone.alarm.history]
    assert actions == ["raised", "cleared"]


def test_assignee_comments_and_history() -> None:
    b = book()
    (raised,) = b.fired(fired(0), PLACE)
    alarm_id = raised.alarm.alarm_id
    b.assign(alarm_id, "ops.wang", "lead.zhao", m(1))
    alarm = b.comment(alarm_id, "ops.wang", "  on my way  ", m(2))
    assert alarm.assignee == "ops.wang"
    assert [c.text for c in alarm.comments] == ["on my way"]
    assert [(h.action, h.by) for h in alarm.history] == [
        ("raised", None),
        ("assigned", "lead.zhao"),
        ("commented", "ops.wang"),
    ]
    with pytest.raises(ValidationFailed):
        b.comment(alarm_id, "ops.wang", "   ", m(3))
    with pytest.raises(NotFound):
        b.acknowledge("nope", "x", m(3))


def flap(b: AlarmBook, start: float, times: int, step: float = 2) -> list:
    out = []
    for i in range(times):
        at = start + i * step
        out += b.fired(fired(at), PLACE) if i % 2 == 0 else b.cleared(cleared(at), PLACE)
    return out


def test_flapping_is_detected_and_damped_until_stable() -> None:
    b = book(flap_changes=4, flap_window=timedelta(minutes=30), flap_stable=timedelta(minutes=20))
    decisions = flap(b, 0, 20)  # fire and clear every 2 minutes, ten times each
    assert kinds(decisions).count("AlarmRaised") == 2  # then it is caught flapping
    assert kinds(decisions).count("AlarmFlapping") == 1
    assert kinds(decisions).count("AlarmCleared") == 1  # only the first, before it flapped
    (alarm,) = [a for a in b.open_alarms() if a.active]
    assert alarm.flapping
    assert alarm.count == 1 + 8  # each later firing counted on the one alarm
    assert b.tick(m(38 + 19)) == []  # the last clear came at 38: not steady for 20 minutes yet
    (done,) = b.tick(m(38 + 20))
    assert isinstance(done, AlarmCleared)
    assert done.alarm.alarm_id == alarm.alarm_id
    assert not done.alarm.flapping


def test_a_flapping_alarm_that_stays_firing_settles_and_stays_active() -> None:
    b = book(flap_changes=4, flap_window=timedelta(minutes=30), flap_stable=timedelta(minutes=20))
    flap(b, 0, 7)  # ends on a firing at minute 12
    (alarm,) = [a for a in b.open_alarms() if a.active]
    assert alarm.flapping
    assert not [d for d in b.tick(m(31)) if isinstance(d, AlarmSettled)]
    settled = [d for d in b.tick(m(32)) if isinstance(d, AlarmSettled)]
    assert len(settled) == 1
    assert settled[0].alarm.active
    assert not settled[0].alarm.flapping


def silence_many(b: AlarmBook, count: int, place: DevicePlace, prefix: str, start: float) -> list:
    out = []
    for i in range(count):
        out += b.silent(f"{prefix}{i:03d}", place, m(start + i * 0.02))
    return out


def test_a_hundred_silent_devices_of_one_area_make_one_group_alarm() -> None:
    b = book(group_size=10, group_window=timedelta(minutes=5))
    place = DevicePlace(area_code=AREA)
    decisions = silence_many(b, 100, place, "S", 0)
    decisions += b.tick(m(30))
    raised = [d for d in decisions if isinstance(d, AlarmRaised)]
    assert len(raised) == 1
    group = raised[0].alarm
    assert group.kind is AlarmKind.group
    assert group.key == f"group:area:{AREA}"
    assert group.fault is DeviceFault.offline
    assert len(group.members) == 10
    joined = [d for d in decisions if isinstance(d, GroupChanged)]
    assert len(joined) == 90
    (current,) = b.open_alarms()
    assert sorted(current.members) == [f"S{i:03d}" for i in range(100)]
    # all come back: the group clears with the last one
    back = [d for i in range(100) for d in b.back(f"S{i:03d}", m(40 + i))]
    assert kinds(back) == ["GroupChanged"] * 99 + ["AlarmCleared"]


def test_a_few_silent_devices_each_get_their_own_alarm_after_the_wait() -> None:
    b = book(group_size=10, group_window=timedelta(minutes=5))
    assert silence_many(b, 3, DevicePlace(area_code="330103002"), "X", 0) == []
    assert b.tick(m(4.9)) == []
    raised = b.tick(m(5.1))
    assert kinds(raised) == ["AlarmRaised"] * 3
    assert {d.alarm.kind for d in raised} == {AlarmKind.silence}
    assert kinds(b.back("X001", m(6))) == ["AlarmCleared"]
    assert b.back("X009", m(6)) == []  # never silent


def test_silences_spread_wider_than_the_window_are_not_grouped() -> None:
    b = book(group_size=10, group_window=timedelta(minutes=5))
    place = DevicePlace(area_code=AREA)
    out = []
    for i in range(12):
        out += b.silent(f"S{i}", place, m(i))  # one a minute: never 10 within 5 minutes
        out += b.tick(m(i))
    out += b.tick(m(30))
    assert kinds(out) == ["AlarmRaised"] * 12
    assert all(d.alarm.kind is AlarmKind.silence for d in out)


def test_a_gateway_groups_devices_across_areas() -> None:
    b = book(group_size=10, group_window=timedelta(minutes=5))
    out = []
    for i in range(12):
        place = DevicePlace(area_code=f"33010300{i % 3}", gateway_code="GW-9")
        out += b.silent(f"G{i}", place, m(i * 0.1))
    (raised,) = [d for d in out if isinstance(d, AlarmRaised)]
    assert raised.alarm.key == "group:gateway:GW-9"
    assert raised.alarm.gateway_code == "GW-9"


def test_suppression_counts_instead_of_raising_and_raises_what_outlasts_it() -> None:
    b = book()
    b.suppress(Suppression("MW-1", m(0), m(60), area_prefix="330103", reason="maintenance"))
    first = b.fired(fired(5, "D1"), PLACE)
    second = b.fired(fired(6, "D2"), PLACE)
    assert kinds(first + second) == ["AlarmSuppressed", "AlarmSuppressed"]
    assert isinstance(second[0], AlarmSuppressed)
    assert second[0].count == 2
    assert b.silent("D3", PLACE, m(7))[0] == AlarmSuppressed("silence:D3", m(7), "MW-1", 3)
    outside = b.fired(fired(8, "D4"), DevicePlace(area_code="110101001"))
    assert kinds(outside) == ["AlarmRaised"]
    assert b.cleared(cleared(30, "D2"), PLACE) == []  # it ended inside the window
    assert b.open_alarms()[0].device_code == "D4"
    ended = b.tick(m(61))
    (raised,) = [d for d in ended if isinstance(d, AlarmRaised)]
    assert raised.alarm.device_code == "D1"  # still firing when the window ended
    assert raised.alarm.first_at == m(5)
    assert b.suppressed_count("MW-1") == 3


def test_a_suppression_by_rule_leaves_other_rules_alone() -> None:
    b = book()
    other = Rule(
        code="noise",
        name="noise",
        scope=Scope(device_type="n"),
        condition=Threshold("db", Op.gt, 70),
    )
    b.suppress(Suppression("R-1", m(0), m(60), rule_code="pm25-high"))
    assert kinds(b.fired(fired(1), PLACE)) == ["AlarmSuppressed"]
    assert kinds(b.fired(fired(1, rule=other), PLACE)) == ["AlarmRaised"]
    with pytest.raises(ValueError, match="names"):
        Suppression("bad", m(0), m(1))


def test_an_unacknowledged_alarm_escalates_each_period() -> None:
    b = book(
        escalate_after=((Severity.major, timedelta(minutes=30)),),
        max_escalation=2,
    )
    (raised,) = b.fired(fired(0), PLACE)
    assert b.tick(m(29)) == []
    (up,) = b.tick(m(31))
    assert isinstance(up, AlarmEscalated)
    assert up.alarm.escalation_level == 1
    assert b.tick(m(45)) == []
    (up,) = b.tick(m(200))
    assert up.alarm.escalation_level == 2  # capped
    assert b.tick(m(300)) == []
    minor = Rule(
        code="minor",
        name="m",
        scope=Scope(device_type="a"),
        condition=Threshold("x", Op.gt, 1),
        severity=Severity.minor,
    )
    b.fired(fired(0, rule=minor), PLACE)  # no period for minor here: never escalates
    b.acknowledge(raised.alarm.alarm_id, "ops", m(301))
    assert b.tick(m(10_000)) == []


def test_the_evaluator_feeds_the_book() -> None:
    rule = Rule(
        code="pm25-high",
        name="PM2.5 high",
        scope=Scope(device_type="air"),
        condition=Threshold("pm25", Op.gt, 75),
        for_duration=timedelta(minutes=10),
    )
    evaluator = RuleEvaluator(rule, "D1")
    b = book()
    out = []
    for minute, value in [(0, 80), (5, 90), (12, 85), (20, 40), (30, 100), (45, 100)]:
        for transition in evaluator.observe(Reading("D1", "pm25", m(minute), value)):
            out += b.apply(transition, PLACE)
    assert kinds(out) == ["AlarmRaised", "AlarmCleared", "AlarmRaised"]
    assert out[0].alarm.first_at == m(10)


def test_the_book_stays_bounded_over_a_long_run() -> None:
    b = book(flap_changes=4, flap_window=timedelta(minutes=10), flap_stable=timedelta(minutes=10))
    devices = [f"D{i}" for i in range(50)]
    largest = 0
    for hour in range(200):
        for n, device in enumerate(devices):
            at = hour * 60 + n * 0.1
            for d in b.fired(fired(at, device), PLACE):
                if isinstance(d, AlarmRaised):
                    b.acknowledge(d.alarm.alarm_id, "ops", m(at))
            b.cleared(cleared(at + 30, device), PLACE)
        largest = max(largest, b.state_size)
        b.tick(m(hour * 60 + 59))
    assert b.open_alarms() == []
    assert largest <= 2 * len(devices)  # each device: its open alarm and its recent changes
    assert b.state_size == 0  # closed alarms and old changes have left the book


def test_an_open_alarm_restored_from_the_store_takes_repeats() -> None:
    first = book()
    (raised,) = first.fired(fired(0), PLACE)
    second = AlarmBook(alarms=first.open_alarms())
    (again,) = second.fired(fired(3), PLACE)
    assert isinstance(again, AlarmRepeated)
    assert again.alarm.alarm_id == raised.alarm.alarm_id
    assert AlarmFlapping not in {type(d) for d in second.tick(m(4))}


def test_an_alarm_active_before_a_suppression_counts_repeats_and_clears_in_it() -> None:
    b = book()
    (raised,) = b.fired(fired(0), PLACE)
    b.suppress(Suppression("MW-2", m(10), m(60), device_code="D1"))
    (again,) = b.fired(fired(20), PLACE)
    assert isinstance(again, AlarmRepeated)
    assert again.alarm.alarm_id == raised.alarm.alarm_id
    (done,) = b.cleared(cleared(30), PLACE)
    assert isinstance(done, AlarmCleared)
    assert [d for d in b.tick(m(61)) if isinstance(d, AlarmRaised)] == []
    assert b.suppressed_count("MW-2") == 0
