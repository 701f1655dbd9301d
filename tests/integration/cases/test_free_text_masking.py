"""Personal data inside a case's free text (title, description, address, history notes and the
reasons and answers of its steps) is masked for every staff reader, in the list, the detail, the
history and the export, as the reporter's phone is; `?reveal=contact` shows it as written to the
roles that may see the contact, and writes the audit line; the others are refused."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest

from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import PASSWORD, City

MOBILE, MOBILE_MASKED = "138 1234 5678", "138 **** 5678"
ID_NUMBER, ID_MASKED = "330103199001011234", "330***********1234"
NOTE_PHONE, NOTE_MASKED = "0571-87654321", "0571-****4321"
TITLE = "路灯不亮 回电13912345678"
DESCRIPTION = f"湖滨路口的路灯晚上不亮，我的电话{MOBILE}，身份证{ID_NUMBER}"
ADDRESS = "湖滨路1号 微信wx13912345678"
RAW = ("1234 5678", "13912345678", ID_NUMBER, "87654321")

# the readers of a dispatched case: may each see the contact (reveal=contact)?
MAY_REVEAL = {
    "op": True,
    "disp": True,
    "lead": True,
    "h_cgj": True,  # the handler of the case's department
    "boss": False,
    "adm": False,
    "insp": False,
    "h_street": False,  # a handler who sees the street's cases, not of this department
}


@pytest.fixture
def case(city: City) -> dict[str, Any]:
    with city.platform.uow() as uow:
        city.platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="adm", password=PASSWORD, display_name="adm", roles=["admin"]),
        )
    created = city.create(title=TITLE, description=DESCRIPTION, address=ADDRESS)
    registered = city.act("op", created, "register", note=f"来电人留了座机{NOTE_PHONE}")
    return city.act("disp", registered, "dispatch", note=f"请联系{MOBILE}")


def _assert_masked(text: str) -> None:
    assert not any(raw in text for raw in RAW), text


def _history(city: City, user: str, case_id: int, expect: int = 200, **params: Any) -> Any:
    r = city.client.get(f"/api/v1/cases/{case_id}/history", params=params, headers=city.auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def _audit_lines(city: City, case_id: int) -> int:
    return sum(h["action"] == "reveal_contact" for h in _history(city, "disp", case_id))


@pytest.mark.parametrize("user", sorted(MAY_REVEAL))
def test_free_text_is_masked_for_every_reader(city: City, case: dict[str, Any], user: str) -> None:
    detail = city.get(user, case["id"])
    assert detail["description"] == (
        f"湖滨路口的路灯晚上不亮，我的电话{MOBILE_MASKED}，身份证{ID_MASKED}"
    )
    assert detail["title"] == "路灯不亮 回电139****5678"
    assert detail["address"] == "湖滨路1号 微信wx139****5678"
    listed = city.client.get("/api/v1/cases", headers=city.auth(user)).json()
    (item,) = [c for c in listed["items"] if c["id"] == case["id"]]
    assert (item["title"], item["description"], item["address"]) == (
        detail["title"],
        detail["description"],
        detail["address"],
    )
    notes = {h["action"]: h["note"] for h in _history(city, user, case["id"])}
    assert notes["register"] == f"来电人留了座机{NOTE_MASKED}"
    assert notes["dispatch"] == f"请联系{MOBILE_MASKED}"
    _assert_masked(notes["report"])
    export = city.client.get(
        "/api/v1/cases/export", params={"format": "csv"}, headers=city.auth(user)
    )
    assert export.status_code == 200
    (row,) = [r for r in csv.reader(io.StringIO(export.text)) if case["number"] in r]
    assert detail["title"] in row
    assert detail["address"] in row
    _assert_masked(export.text)


@pytest.mark.parametrize("user", sorted(u for u, may in MAY_REVEAL.items() if may))
def test_reveal_shows_the_text_as_written_and_is_audited(
    city: City, case: dict[str, Any], user: str
) -> None:
    before = _audit_lines(city, case["id"])
    revealed = city.get(user, case["id"], reveal="contact")
    assert (revealed["title"], revealed["description"], revealed["address"]) == (
        TITLE,
        DESCRIPTION,
        ADDRESS,
    )
    assert revealed["reporter_phone"] == "13812345678"
    notes = {h["action"]: h["note"] for h in _history(city, user, case["id"], reveal="contact")}
    assert notes["register"] == f"来电人留了座机{NOTE_PHONE}"
    assert notes["dispatch"] == f"请联系{MOBILE}"
    assert _audit_lines(city, case["id"]) == before + 2  # the detail's and the history's


@pytest.mark.parametrize("user", sorted(u for u, may in MAY_REVEAL.items() if not may))
def test_reveal_is_refused_to_the_others(city: City, case: dict[str, Any], user: str) -> None:
    before = _audit_lines(city, case["id"])
    err = city.get(user, case["id"], expect=403, reveal="contact")
    assert err["error"]["code"] == "cannot_reveal_contact"
    err = _history(city, user, case["id"], expect=403, reveal="contact")
    assert err["error"]["code"] == "cannot_reveal_contact"
    assert _audit_lines(city, case["id"]) == before


def test_the_reason_of_a_step_is_masked(city: City) -> None:
    created = city.create()
    rejected = city.act("op", created, "reject", reason=f"重复来电，已告知回电{MOBILE}")
    (line,) = [h for h in _history(city, "boss", rejected["id"]) if h["action"] == "reject"]
    assert line["data"]["reason"] == f"重复来电，已告知回电{MOBILE_MASKED}"
    lines = _history(city, "disp", rejected["id"], reveal="contact")
    (line,) = [h for h in lines if h["action"] == "reject"]
    assert line["data"]["reason"] == f"重复来电，已告知回电{MOBILE}"
