"""A case tells its reader whether they may see the reporter's contact in clear
(`may_reveal_contact`, the rule of cases.policy), so the console shows a 显示号码 button only to
them; asking with ?reveal=contact then shows the number and writes the audit line."""

from __future__ import annotations

import pytest

from .conftest import City


def _dispatched(city: City) -> dict:  # type: ignore[type-arg]
    case = city.create(reporter_phone="13812345678")
    return city.act("disp", city.act("op", case, "register"), "dispatch")


@pytest.mark.parametrize(
    ("user", "may"),
    [
        ("op", True),
        ("disp", True),
        ("lead", True),
        ("h_cgj", True),  # the handler of the department the case is dispatched to
        ("h_water", False),  # another department's handler
        ("boss", False),
        ("insp", False),
    ],
)
def test_the_case_says_who_may_reveal_the_contact(city: City, user: str, may: bool) -> None:
    case = _dispatched(city)
    if user == "h_water":  # another department: the case is not in their scope at all
        city.get(user, case["id"], expect=404)
        return
    seen = city.get(user, case["id"])
    assert seen["may_reveal_contact"] is may
    assert seen["reporter_phone"] == "138****5678"
    if may:
        shown = city.get(user, case["id"], reveal="contact")
        assert shown["reporter_phone"] == "13812345678"
        assert city.history("op", case["id"])[-1]["action"] == "reveal_contact"
    else:
        city.get(user, case["id"], expect=403, reveal="contact")
