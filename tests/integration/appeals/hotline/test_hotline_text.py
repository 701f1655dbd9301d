"""Control characters in a hotline call (kernel/text.py): the caller's words, the address, the
name and the operator's answer are stored clean; codes holding them are refused."""

from __future__ import annotations

from .conftest import City


def test_a_call_with_control_characters_is_stored_clean(city: City) -> None:
    case = city.call(
        text="路灯\x00不亮\x1b，行人\u202e看不清",
        address="湖滨路\x00口",
        caller_name="李\x07四",
    )["case"]
    assert case["description"] == "路灯不亮，行人看不清"
    assert case["address"] == "湖滨路口"
    stored = city.get("op", case["id"])
    assert "\x00" not in (stored["reporter_name"] or "")


def test_an_answer_with_control_characters_is_stored_clean(city: City) -> None:
    case = city.call(
        mode="answer",
        appeal_type="consultation",
        text="社区的垃圾几点可以扔",
        category_code="A13",
        answer="请按\x00小区公示的\x01时间投放。",
    )["case"]
    data = city.history("boss", case["id"])[1]["data"]
    assert data["answer"] == "请按小区公示的时间投放。"


def test_a_code_with_a_control_character_is_refused(city: City) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/hotline/calls",
        json={"appeal_type": "help", "text": "路灯不亮", "category_code": "E90\x0001"},
        headers=city.auth("hot"),
    )
    assert r.status_code == 422, r.text
    assert "category_code" in r.json()["error"]["message"]
    assert city.snapshot() == before


def test_an_article_code_with_a_nul_is_refused(city: City) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/hotline/calls",
        json={
            "appeal_type": "consultation",
            "text": "公积金怎么提取",
            "mode": "answer",
            "category_code": "A13",
            "article_code": "KB\x0001",
        },
        headers=city.auth("hot"),
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "control_character"
    assert city.snapshot() == before
