"""Routing at intake through the front door: a portal appeal left to the system is dispatched by
the router after commit, with its explanation in the history and its decision recorded; an
unsure one waits for the dispatcher with the suggestions; a redelivered event changes nothing;
without a model intake works as before."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from cityops.appeals.routing.decisions import routing_decisions
from cityops.appeals.routing.handlers import INTAKE_SUBSCRIPTION
from cityops.cases.public import CaseReported
from cityops.cases.store import case_history
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentUpdate

from .conftest import RoutingCity

SCHOOL = "孩子所在学校的老师违规有偿补课，学校收取高额补课费，请教育局查处"
VAGUE = "你好，请问一下"


def _top(city: RoutingCity, text: str) -> Any:
    with city.platform.read() as s:
        return city.platform.routing.suggest(s, text, k=3)


def _history_rows(city: RoutingCity) -> int:
    with city.platform.read() as s:
        return int(s.execute(select(func.count()).select_from(case_history)).scalar_one())


def test_a_confident_appeal_left_to_the_system_is_dispatched_and_explained(
    city: RoutingCity,
) -> None:
    threshold = city.platform.settings.router_auto_dispatch_confidence
    top = _top(city, SCHOOL)
    assert top[0].label == "教育文体"
    assert top[0].probability >= threshold  # the premise of this test

    receipt = city.submit(SCHOOL)
    assert receipt["category_by"] == "system"
    assert receipt["category_code"] == "A0302"  # the model's top leaf, not the fallback
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "reported"  # intake itself never waits for routing

    city.drain()
    case = city.get("disp", case["id"])
    assert case["status"] == "dispatched"
    assert case["department"]["code"] == "JYJ"

    steps = {h["action"]: h for h in city.history("disp", case["id"])}
    for action in ("register", "dispatch"):
        assert steps[action]["actor_name"] == "智能分拨"
        assert steps[action]["actor_user_id"] is None
    note = steps["dispatch"]["note"]
    assert "智能分拨自动派遣至教育局" in note
    assert "依据词" in note
    assert top[0].top_words[0][0] in note
    assert city.platform.routing.model_version in note

    routing = city.routing(case["id"])
    decision = routing["decision"]
    assert decision["outcome"] == "auto_dispatched"
    assert decision["reason"] == "confident"
    assert decision["department_code"] == "JYJ"
    assert decision["model_version"] == routing["model_version"]
    assert decision["threshold"] == threshold
    assert decision["confidence"] == pytest.approx(top[0].probability, abs=1e-4)
    labels = [s["label"] for s in decision["suggestions"]]
    assert len(labels) == 3
    assert labels[0] == "教育文体"
    codes = [s["category_code"] for s in decision["suggestions"]]
    assert codes[0] == "A0302"  # the leaf (校外培训), not the group
    assert len(set(codes)) == 3
    assert sum(s["probability"] for s in decision["suggestions"]) <= 1 + 1e-6
    assert decision["suggestions"][0]["top_words"][0]["word"] == top[0].top_words[0][0]
    assert routing["corrections"] == []


def _reported_again(city: RoutingCity, case: dict[str, Any]) -> CaseReported:
    """The case's CaseReported as the relay would hand it over a second time."""
    return CaseReported(
        occurred_at=city.platform.clock.now(),
        case_id=case["id"],
        case_number=case["number"],
        source="web",
        category_code=case["category_code"],
        area_code=case["area_code"],
        urgency=case["urgency"],
    )


def test_a_redelivered_event_does_nothing_twice(city: RoutingCity) -> None:
    receipt = city.submit(SCHOOL)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    before = (_history_rows(city), case["version"])
    handler = next(
        s.handler
        for s in city.platform.bus.subscriptions_for("CaseReported")
        if s.name == INTAKE_SUBSCRIPTION
    )
    again = _reported_again(city, case)
    handler(again)
    handler(again)
    assert (_history_rows(city), city.get("disp", case["id"])["version"]) == before
    with city.platform.read() as s:
        count = s.execute(select(func.count()).select_from(routing_decisions)).scalar_one()
    assert count == 1


def test_an_unsure_appeal_waits_for_the_dispatcher_with_suggestions(city: RoutingCity) -> None:
    top = _top(city, VAGUE)
    assert top[0].probability < city.platform.settings.router_auto_dispatch_confidence

    receipt = city.submit(VAGUE)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "reported"
    assert [h["action"] for h in city.history("disp", case["id"])] == ["report"]

    decision = city.routing(case["id"], user="lead")["decision"]
    assert decision["outcome"] == "queued"
    assert decision["reason"] == "low_confidence"
    assert decision["confidence"] == pytest.approx(top[0].probability, abs=1e-4)
    assert [s["label"] for s in decision["suggestions"]] == [s.label for s in top]
    assert decision["department_code"] == decision["suggestions"][0]["department_code"]


def test_a_group_whose_leaf_the_text_does_not_name_waits_however_sure_the_label(
    city: RoutingCity,
) -> None:
    text = "学校的老师经常体罚学生，还让学生罚站一整节课，家长们非常担心孩子的身心健康"
    top = _top(city, text)
    assert top[0].label == "教育文体"
    # 教育文体 has leaves with other units (校外培训: 教育局, 文化市场: 文旅局): the text names
    # neither, so the unit is not known, and the router leaves it to a person
    assert (top[0].category_code, top[0].leaf) == ("A03", False)

    receipt = city.submit(text)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "reported"
    decision = city.routing(case["id"])["decision"]
    assert (decision["outcome"], decision["reason"]) == ("queued", "leaf_uncertain")
    assert decision["suggestions"][0]["leaf"] is False


def test_a_case_already_taken_up_is_left_alone(city: RoutingCity) -> None:
    receipt = city.submit(SCHOOL)
    case = city.case_by_number(receipt["case_number"])
    city.act("op", case, "register")  # before the relay hands the report to the router
    city.drain()
    case = city.get("disp", case["id"])
    assert case["status"] == "registered"
    decision = city.routing(case["id"])["decision"]
    assert decision["outcome"] == "skipped"
    assert decision["reason"] == "case_taken_up"
    assert decision["suggestions"][0]["label"] == "教育文体"


def test_a_patrol_report_is_not_routed(city: RoutingCity) -> None:
    case = city.create("insp", source="inspector", title="学校门口", description=SCHOOL)
    city.drain()
    assert city.get("disp", case["id"])["status"] == "reported"
    assert city.routing(case["id"])["decision"] is None


def test_routing_reads_are_for_the_centre_and_in_scope(city: RoutingCity) -> None:
    receipt = city.submit(SCHOOL)
    case = city.case_by_number(receipt["case_number"])
    for user in ("disp", "lead", "op", "adm"):
        city.routing(case["id"], user=user)
    for user in ("boss", "h_jyj", "insp", "cit"):
        city.routing(case["id"], user=user, expect=403)
    city.routing(999_999, expect=404)


@pytest.mark.parametrize("model_dir", [None])
def test_without_a_model_intake_goes_on_as_before(city: RoutingCity) -> None:
    assert city.platform.routing.available is False
    receipt = city.submit(SCHOOL)
    assert receipt["category_by"] == "system"
    assert receipt["category_code"] == "A13"  # the portal's fallback
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "reported"
    routing = city.routing(case["id"])
    assert routing == {
        "case_id": case["id"],
        "model_available": False,
        "model_version": None,
        "decision": None,
        "corrections": [],
    }
    r = city.client.post("/api/v1/routing/suggest", json={"text": SCHOOL}, headers=city.auth("op"))
    assert r.status_code == 200, r.text
    assert r.json() == {"model_available": False, "model_version": None, "suggestions": []}


def test_a_refused_automatic_dispatch_leaves_the_case_to_the_dispatcher(
    city: RoutingCity,
) -> None:
    with city.platform.uow() as uow:
        jyj = city.platform.org.department_by_code(uow.session, "JYJ")
        city.platform.org.update_department(uow, SYSTEM, jyj.id, DepartmentUpdate(active=False))
    receipt = city.submit(SCHOOL)
    city.drain()
    case = city.case_by_number(receipt["case_number"])
    assert case["status"] == "reported"  # the automatic 立案 was undone with the dispatch
    assert [h["action"] for h in city.history("disp", case["id"])] == ["report"]
    decision = city.routing(case["id"])["decision"]
    assert (decision["outcome"], decision["reason"]) == ("queued", "dispatch_refused")
    assert decision["department_code"] == "JYJ"


def test_one_relay_pass_decides_each_case_on_its_own(city: RoutingCity) -> None:
    """Several appeals reach the router in one relay pass: one already taken up by a person is
    left alone, the others are dispatched, each with its own decision and history."""
    receipts = [city.submit(SCHOOL) for _ in range(3)]
    cases = [city.case_by_number(r["case_number"]) for r in receipts]
    city.act("op", cases[1], "register")
    city.drain()
    statuses = [city.get("disp", c["id"])["status"] for c in cases]
    assert statuses == ["dispatched", "registered", "dispatched"]
    outcomes = [city.routing(c["id"])["decision"]["outcome"] for c in cases]
    assert outcomes == ["auto_dispatched", "skipped", "auto_dispatched"]
    assert [h["action"] for h in city.history("disp", cases[0]["id"])] == [
        "report",
        "register",
        "dispatch",
    ]
    assert [h["actor_name"] for h in city.history("disp", cases[1]["id"])][1] != "智能分拨"


def test_a_pass_of_queued_and_dispatched_appeals_redelivered_changes_nothing(
    city: RoutingCity,
) -> None:
    """Queued decisions of a pass are written together, automatic ones case by case; the relay
    handing the same pass over again (at least once) records nothing twice."""
    receipts = [city.submit(text) for text in (VAGUE, SCHOOL, VAGUE, SCHOOL)]
    cases = [city.case_by_number(r["case_number"]) for r in receipts]
    city.drain()
    outcomes = [city.routing(c["id"])["decision"]["outcome"] for c in cases]
    assert outcomes == ["queued", "auto_dispatched", "queued", "auto_dispatched"]
    batch = next(
        s.batch
        for s in city.platform.bus.subscriptions_for("CaseReported")
        if s.name == INTAKE_SUBSCRIPTION
    )
    assert batch is not None
    before = (_history_rows(city), [city.get("disp", c["id"])["version"] for c in cases])
    batch([_reported_again(city, c) for c in cases])
    after = (_history_rows(city), [city.get("disp", c["id"])["version"] for c in cases])
    assert after == before
    with city.platform.read() as s:
        count = s.execute(select(func.count()).select_from(routing_decisions)).scalar_one()
    assert count == 4
