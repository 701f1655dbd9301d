"""The SLA scan on the scheduler: yellow → 催办 reminder, past the deadline → overdue, overdue
long enough → 督办 escalation; each once, whatever how often the scan runs."""

from __future__ import annotations

from datetime import datetime, timedelta

from cityops.cases.events import CaseEscalated, CaseOverdue, CaseReminded
from cityops.kernel.clock import FixedClock

from .conftest import LEAK, City


def test_scan_reminds_marks_overdue_and_escalates(city: City, clock: FixedClock) -> None:
    seen: list[str] = []
    for event in (CaseReminded, CaseOverdue, CaseEscalated):
        city.platform.bus.subscribe(event, lambda e: seen.append(e.name), name=f"t.{event.name}")
    assert "sla-scan" in city.platform.scheduler.jobs
    case = city.create()  # Monday 09:00; register within 1 working hour

    def scan() -> None:
        city.platform.scheduler.run_all_once()
        city.platform.relay.drain()

    clock.advance(timedelta(minutes=30))
    scan()
    assert seen == []
    assert city.get("op", case["id"])["sla_state"] == "green"

    clock.advance(timedelta(minutes=20))  # 50 of 60 minutes used: yellow
    scan()
    scan()
    assert seen == ["CaseReminded"]
    view = city.get("op", case["id"])
    assert (view["sla_state"], view["overdue"]) == ("yellow", False)

    clock.advance(timedelta(minutes=15))  # 10:05, past the 10:00 deadline
    scan()
    scan()
    assert seen == ["CaseReminded", "CaseOverdue"]
    view = city.get("op", case["id"])
    assert (view["sla_state"], view["overdue"], view["supervised"]) == ("red", True, False)
    assert view["version"] == case["version"]  # SLA marks are no workflow step
    listed = city.client.get("/api/v1/cases", params={"overdue": True}, headers=city.auth("op"))
    assert [c["id"] for c in listed.json()["items"]] == [case["id"]]

    clock.advance(timedelta(days=1))  # 8 working hours overdue: escalate (settings default 8 h)
    scan()
    scan()
    assert seen == ["CaseReminded", "CaseOverdue", "CaseEscalated"]
    view = city.get("op", case["id"])
    assert view["supervised"] is True
    marks = [h["action"] for h in city.history("op", case["id"]) if h["actor_role"] == "system"]
    assert marks == ["remind", "overdue", "escalate"]

    registered = city.act("op", view, "register")  # a new stage starts a fresh clock
    assert (registered["overdue"], registered["sla_state"]) == (False, "green")


def test_urgent_cases_run_on_calendar_hours(city: City, clock: FixedClock) -> None:
    seen: list[str] = []
    city.platform.bus.subscribe(CaseOverdue, lambda e: seen.append(e.stage), name="t.overdue")
    clock.set(clock.now().replace(hour=13) + timedelta(days=5))  # Saturday evening in Shanghai
    case = city.create(category_code=LEAK, title="水管爆裂", description="路面冒水")
    assert case["urgency"] == "urgent"
    clock.advance(timedelta(hours=2, minutes=1))
    with city.platform.uow() as uow:
        assert city.platform.cases.scan_sla(uow) == 1
    city.platform.relay.drain()
    assert seen == ["register"]


def test_the_scheduled_scan_reads_first_and_writes_in_chunks(city: City, clock: FixedClock) -> None:
    """More overdue cases than one write transaction takes: every one is marked once."""
    from cityops.cases.jobs import SLA_WRITE_CHUNK

    created = [city.create(title=f"路灯 {i}") for i in range(SLA_WRITE_CHUNK + 7)]
    clock.advance(timedelta(hours=2))  # past the 1-working-hour register deadline
    city.platform.scheduler.run_all_once()
    city.platform.scheduler.run_all_once()
    for case in created:
        view = city.get("op", case["id"])
        assert view["overdue"] is True
        marks = [h["action"] for h in city.history("op", case["id"]) if h["actor_role"] == "system"]
        assert marks == ["overdue"]


def test_a_case_changed_after_the_scan_read_it_is_judged_again(
    city: City, clock: FixedClock
) -> None:
    """Between the scan's reading and its writing, one case is registered (a new stage, a fresh
    clock) and another gets an audit line: the first is not marked on its old stage, the second
    is marked with its history numbered after the audit line."""
    p = city.platform
    moved, audited = city.create(), city.create()
    clock.advance(timedelta(hours=2))
    with p.read() as s:
        planned = p.cases.plan_sla(s)
    assert {plan.row.id for plan in planned} == {moved["id"], audited["id"]}
    city.act("op", moved, "register")
    city.get("op", audited["id"], reveal="contact")
    with p.uow() as uow:
        assert p.cases.write_sla(uow, planned) == 1
    assert city.get("op", moved["id"])["overdue"] is False
    assert [(h["seq"], h["action"]) for h in city.history("op", audited["id"])] == [
        (1, "report"),
        (2, "reveal_contact"),
        (3, "overdue"),
    ]


def test_an_approved_extension_lifts_the_overdue_mark(city: City, clock: FixedClock) -> None:
    """Handling overdue and escalated; a 30-working-day extension moves the deadline ahead: the
    case is no longer overdue, a rescan leaves it so, and the new deadline gets its own 催办."""
    reminded: list[str] = []
    city.platform.bus.subscribe(CaseReminded, lambda e: reminded.append(e.stage), name="t.rem")

    def scan() -> None:
        city.platform.scheduler.run_all_once()
        city.platform.relay.drain()

    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    case = city.act("h_cgj", case, "sign")
    clock.advance(timedelta(days=7))  # past the 2-working-day handle deadline, 8 h and more
    scan()
    case = city.get("h_cgj", case["id"])
    assert (case["overdue"], case["supervised"]) == (True, True)
    case = city.act(
        "h_cgj", case, "request_extension", amount=30, unit="working_days", reason="施工"
    )
    case = city.act("lead", case, "approve_extension")
    assert (case["overdue"], case["sla_state"]) == (False, "green")
    scan()
    case = city.get("h_cgj", case["id"])
    assert (case["overdue"], case["sla_state"], case["supervised"]) == (False, "green", True)
    approval = [h for h in city.history("op", case["id"]) if h["action"] == "approve_extension"]
    assert approval[0]["data"]["overdue_cleared"] is True
    assert "overdue" in [h["action"] for h in city.history("op", case["id"])]  # still on record
    reminded.clear()
    due = datetime.fromisoformat(case["stage_deadline"])
    clock.set(due - timedelta(hours=2))  # nearly all of the new allowance used, not yet due
    scan()
    case = city.get("h_cgj", case["id"])
    assert (case["sla_state"], case["overdue"], reminded) == ("yellow", False, ["handle"])
    finished = city.act(
        "h_cgj", case, "finish", note="已修复", photos=["/media/2026/11/result-000000000001.jpg"]
    )
    assert finished["handled_on_time"] is True
