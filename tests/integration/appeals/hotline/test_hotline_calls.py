"""Taking a call through HTTP, each mode: 受理 (record), 直派 (register + dispatch in one
transaction), 直接办结 (a consultation answered and closed), a repeat call merged into the open
case; every refusal half-way leaves no case behind; the caller hears about the case and can
track it like a portal appeal."""

from __future__ import annotations

from typing import Any

import pytest
from case_city import OTHER_GRID
from sqlalchemy import func, select
from visits import UNSATISFIED_REOPEN

from cityops.appeals.knowledge.model import ArticleDraft
from cityops.appeals.notify.store import notification_recipients, notifications
from cityops.appeals.portal.store import portal_appeals
from cityops.cases.events import CaseClosed
from cityops.cases.store import cases
from cityops.kernel.actor import SYSTEM

from .conftest import City


def _kept(city: City) -> tuple[int, ...]:
    """Cases, history lines and versions, plus the appeal records and recipients."""
    with city.platform.read() as s:
        extra = (
            s.execute(select(func.count()).select_from(portal_appeals)).scalar_one(),
            s.execute(select(func.count()).select_from(notification_recipients)).scalar_one(),
        )
    return city.snapshot() + extra


def _code(city: City, case_id: int) -> str:
    """The case's tracking code, as the SMS carries it (read from the store)."""
    with city.platform.read() as s:
        return str(s.scalar(select(cases.c.tracking_code).where(cases.c.id == case_id)))


def _steps(city: City, case: dict[str, Any]) -> list[str]:
    return [h["action"] for h in city.history("boss", case["id"])]


def test_record_files_a_hotline_case_the_caller_can_follow(city: City) -> None:
    taken = city.call(caller_name="李先生", address="湖滨路12号")
    case = taken["case"]
    assert taken["mode"] == "record"
    assert taken["merged_into_number"] is None
    assert taken["sms"] is True
    assert (case["status"], case["source"], case["category_code"]) == (
        "reported",
        "hotline",
        "E9001",
    )
    assert case["title"].startswith("【求助】湖滨路口的路灯")
    assert case["reporter_phone"] == "139****5678"
    assert case["suggested_department"]["code"] == "CGJ"
    assert _steps(city, case) == ["report"]
    city.platform.relay.drain()
    sent = city.client.get(
        "/api/v1/notifications", params={"case_id": case["id"]}, headers=city.auth("op")
    ).json()["items"]
    assert [n["recipient"] for n in sent] == ["139****5678"]
    assert "tracking_code" not in case  # staff never see it: the caller gets it by SMS
    code = _code(city, case["id"])
    assert code not in sent[0]["message"]
    with city.platform.read() as s:
        assert code in s.scalars(select(notifications.c.message)).one()
    tracked = city.client.get(f"/api/v1/portal/track/{code}").json()
    assert (tracked["appeal_type"], tracked["status"]) == ("help", "reported")


def test_a_landline_caller_is_filed_but_not_texted(city: City) -> None:
    taken = city.call(phone="0571-87654321")
    assert taken["sms"] is False
    assert city.callers("0571-87654321")[0]["case_id"] == taken["case"]["id"]


def test_direct_dispatch_registers_and_dispatches_in_one_step(city: City) -> None:
    suggested = city.call(mode="dispatch")["case"]
    assert suggested["status"] == "dispatched"
    assert suggested["department"]["code"] == "CGJ"  # the responsibility list's unit
    assert _steps(city, suggested) == ["report", "register", "dispatch"]
    chosen = city.call(mode="dispatch", department_code="SWJ", note="水务设施")["case"]
    assert chosen["department"]["code"] == "SWJ"
    history = city.history("boss", chosen["id"])
    assert history[1]["note"] == "热线直派"
    assert (history[2]["actor_name"], history[2]["actor_role"]) == ("hot", "dispatcher")
    assert history[2]["data"]["as_suggested"] is False


def test_direct_dispatch_refused_half_way_leaves_no_case(city: City) -> None:
    before = _kept(city)
    r = city.call(mode="dispatch", department_code="NOPE", expect=422)
    assert r["error"]["code"] == "unknown_department"
    assert _kept(city) == before
    # no unit on the list at the place (no district government for 西岭区): the dispatch step
    # fails after the create and the register, and nothing is kept
    lon, lat = city.point_in(OTHER_GRID)
    r = city.call(mode="dispatch", category_code="A1301", lon=lon, lat=lat, expect=422)
    assert r["error"]["code"] == "department_required"
    assert _kept(city) == before


def test_an_operator_without_dispatch_rights_cannot_direct_dispatch(city: City) -> None:
    before = _kept(city)
    r = city.call(user="op", mode="dispatch", expect=403)
    assert r["error"]["code"] == "cannot_direct_dispatch"
    assert _kept(city) == before


def test_answer_on_the_spot_closes_a_consultation(city: City) -> None:
    closed: list[CaseClosed] = []
    city.platform.bus.subscribe(CaseClosed, closed.append, name="t.closed")
    taken = city.call(
        user="op",
        mode="answer",
        appeal_type="consultation",
        text="想问一下租房可以提取公积金吗",
        article_code="KB001",
        category_code=None,
        lon=None,
        lat=None,
    )
    case = taken["case"]
    assert (case["status"], case["category_code"]) == ("closed", "A1301")
    assert case["area_code"] == "330100"  # no place given: filed at the city
    assert case["closed_on_time"] is True
    assert case["department"] is None
    history = city.history("boss", case["id"])
    assert [h["action"] for h in history] == ["report", "answer"]
    assert history[1]["data"]["article_code"] == "KB001"
    assert history[1]["data"]["answer"].startswith("购房、租房、离退休等情形")
    assert history[1]["to_status"] == "closed"
    city.platform.relay.drain()
    assert [(e.case_id, e.answered, e.on_time) for e in closed] == [(case["id"], True, True)]
    sent = city.client.get(
        "/api/v1/notifications", params={"case_id": case["id"]}, headers=city.auth("op")
    ).json()["items"]
    assert any("已办结" in n["message"] for n in sent)
    tracked = city.client.get(f"/api/v1/portal/track/{_code(city, case['id'])}").json()
    answered = [s for s in tracked["timeline"] if s["step"] == "answered"]
    assert answered[0]["text"].startswith("购房、租房")


def test_the_operators_own_words_are_the_answer(city: City) -> None:
    case = city.call(
        mode="answer",
        appeal_type="consultation",
        text="社区的垃圾几点可以扔",
        category_code="A13",
        answer="请按小区公示的时间投放。",
    )["case"]
    data = city.history("boss", case["id"])[1]["data"]
    assert (data["answer"], data["article_code"]) == ("请按小区公示的时间投放。", None)


def test_answer_refusals_leave_no_case(city: City) -> None:
    before = _kept(city)
    consult = {"mode": "answer", "appeal_type": "consultation", "text": "公积金怎么提取呀"}
    cases = [
        (
            {**consult, "appeal_type": "complaint", "article_code": "KB001"},
            422,
            "answer_needs_consultation",
        ),
        ({**consult, "article_code": "KB999"}, 422, "unknown_article"),
        ({**consult}, 422, "answer_required"),
        # the engine refuses to answer a non-consultation category: the create is undone too
        ({**consult, "article_code": "KB001", "category_code": "E9001"}, 409, "not_a_consultation"),
        ({**consult, "article_code": "KB001", "department_code": "CGJ"}, 422, "field_not_for_mode"),
    ]
    for fields, status, code in cases:
        body = {"category_code": None, **fields}
        assert city.call(expect=status, **body)["error"]["code"] == code, code
    r = city.call(user="disp", expect=403, **consult, article_code="KB001", category_code=None)
    assert r["error"]["code"] == "cannot_answer"
    assert _kept(city) == before


def test_a_retired_article_is_not_answered_from(city: City) -> None:
    with city.platform.uow() as uow:
        kb = city.platform.knowledge.get_article(uow.session, SYSTEM, "KB001")
        draft = ArticleDraft(
            code=kb.code, title=kb.title, answer=kb.answer, keywords=kb.keywords, active=False
        )
        city.platform.knowledge.update_article(uow, SYSTEM, draft)
    r = city.call(
        mode="answer",
        appeal_type="consultation",
        article_code="KB001",
        category_code=None,
        expect=422,
    )
    assert r["error"]["code"] == "inactive_article"


def test_a_repeat_call_is_merged_into_the_open_case(city: City) -> None:
    first = city.call()["case"]
    taken = city.call(phone="13700001111", merge_into=first["id"])
    repeat = taken["case"]
    assert (repeat["status"], repeat["merged_into_id"]) == ("cancelled", first["id"])
    assert taken["merged_into_number"] == first["number"]
    assert _steps(city, repeat) == ["report", "merge"]
    before = _kept(city)
    r = city.call(merge_into=9999, expect=422)
    assert r["error"]["code"] == "unknown_merge_target"
    r = city.call(user="op", merge_into=first["id"], expect=403)
    assert r["error"]["code"] == "cannot_merge"
    r = city.call(mode="dispatch", merge_into=first["id"], expect=422)
    assert r["error"]["code"] == "field_not_for_mode"
    assert _kept(city) == before


def test_answered_consultations_are_registered_and_closed_never_dispatched(city: City) -> None:
    case = city.call(
        mode="answer", appeal_type="consultation", article_code="KB012", category_code=None
    )["case"]
    assert case["registered_at"] == case["closed_at"] == case["handled_at"]
    counts = city.client.get(
        "/api/v1/indicators/cases", params={"group_by": "district"}, headers=city.auth("lead")
    ).json()["total"]["counts"]
    assert (counts["reported"], counts["registered"], counts["dispatched"]) == (1, 1, 0)
    assert (counts["closed"], counts["closed_on_time"], counts["due_to_close"]) == (1, 1, 1)
    # the 回访 of an answered consultation: responded at once (办结 at intake)
    city.act("op", case, "evaluate", contacted=True, resolved=True, satisfaction="satisfied")
    city.platform.relay.drain()
    rates = city.client.get("/api/v1/indicators/three-rates", headers=city.auth("lead")).json()[
        "total"
    ]["counts"]
    assert (rates["visits"], rates["timed"], rates["responded_on_time"]) == (1, 1, 1)


def test_the_case_api_answers_a_recorded_consultation(city: City) -> None:
    case = city.call(appeal_type="consultation", text="营业执照在哪里办", category_code="A1301")[
        "case"
    ]
    assert "answer" in city.get("op", case["id"])["allowed_actions"]
    assert "answer" not in city.get("disp", case["id"])["allowed_actions"]
    closed = city.act(
        "op", case, "answer", answer="到政务服务中心市场监管窗口办理。", article_code="KB020"
    )
    assert closed["status"] == "closed"
    lamp = city.call()["case"]
    assert "answer" not in city.get("op", lamp["id"])["allowed_actions"]
    r = city.act("op", lamp, "answer", expect=409, answer="已记录")
    assert r["error"]["code"] == "not_a_consultation"
    r = city.act(
        "op",
        city.call(appeal_type="consultation", category_code="A1301")["case"],
        "answer",
        expect=422,
    )
    assert r["error"]["code"] == "answer_required"


def _stored_phone(city: City, case_id: int) -> str | None:
    from cityops.cases.store import cases

    with city.platform.read() as s:
        phone: str | None = s.execute(
            select(cases.c.reporter_phone).where(cases.c.id == case_id)
        ).scalar_one()
    return phone


@pytest.mark.parametrize(
    ("typed", "stored", "lookups"),
    [
        ("0571-87654321", "057187654321", ["057187654321", "0571-87654321", "0571 8765 4321"]),
        (
            "138-1234-5678",
            "13812345678",
            ["13812345678", "138 1234 5678", "１３８１２３４５６７８"],
        ),
        ("13８12345678", "13812345678", ["13812345678"]),
    ],
)
def test_phones_are_stored_and_looked_up_in_one_form(
    city: City, typed: str, stored: str, lookups: list[str]
) -> None:
    case = city.call(phone=typed)["case"]
    assert _stored_phone(city, case["id"]) == stored
    for number in lookups:
        assert [c["case_id"] for c in city.callers(number)] == [case["id"]], number
    # digits of other scripts are no phone number
    assert city.call(phone="١٣٨١٢٣٤٥٦٧٨", expect=422)["error"]["code"] == "invalid_phone"


def test_an_unsatisfied_answered_consultation_is_dispatched_again(city: City) -> None:
    """直接办结 left no department: 重办 sends it back to dispatch instead of a dead end."""
    case = city.call(
        mode="answer", appeal_type="consultation", article_code="KB012", category_code=None
    )["case"]
    case = city.act(
        "op",
        case,
        "evaluate",
        **UNSATISFIED_REOPEN,
    )
    assert (case["status"], case["department"]) == ("registered", None)
    assert "dispatch" in city.get("disp", case["id"])["allowed_actions"]
    case = city.act("disp", case, "dispatch")  # to the unit the list names: the district
    assert (case["status"], case["department"]["code"]) == ("dispatched", "QZ330191")
