"""Photos on a case are the platform's own stored photos (kernel.media): intake and the action
bodies refuse anything else (`javascript:` links, paths out of the upload folder, other sites)
with a 422 naming the field and what is expected — over HTTP, and in the engine when a caller
bypasses the HTTP models."""

from __future__ import annotations

from typing import Any

import pytest

from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import ValidationFailed

from .conftest import GRID, LAMP, City

BAD = [
    "javascript:alert(1)",
    "../../../../etc/passwd",
    "/media/../../../../etc/passwd",
    "https://evil.example.com/a.jpg",
    "/media/2026/11/short.jpg",
    "/media/2026/11/abcdefghijklmnopqr.svg",
]
GOOD = "/media/2026/11/Qm9uam91ci1sYW1wLTE.jpg"  # the form an upload returns
OPERATOR = Actor(user_id=None, username="t-op", roles=frozenset({Role.operator}))


def _finishable(city: City) -> dict[str, Any]:
    case = city.act("disp", city.act("op", city.create(), "register"), "dispatch")
    return city.act("h_cgj", case, "sign")


@pytest.mark.parametrize("bad", BAD)
def test_intake_refuses_a_photo_that_is_not_stored_media(city: City, bad: str) -> None:
    before = city.snapshot()
    r = city.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口的路灯晚上不亮",
            "category_code": LAMP,
            "area_code": GRID,
            "photos": [GOOD, bad],
        },
        headers=city.auth("op"),
    )
    assert r.status_code == 422, r.text
    message = r.json()["error"]["message"]
    assert "photos.1" in message
    assert "/media/<yyyy>/<mm>/<name>" in message
    assert city.snapshot() == before


@pytest.mark.parametrize("action", ["finish", "self_handle"])
@pytest.mark.parametrize("bad", ["javascript:alert(1)", "../../../../etc/passwd"])
def test_action_bodies_refuse_a_photo_that_is_not_stored_media(
    city: City, action: str, bad: str
) -> None:
    if action == "finish":
        case, user = _finishable(city), "h_cgj"
    else:
        case, user = city.create(user="insp", source="inspector"), "insp"
    before = city.snapshot()
    r = city.act(user, case, action, expect=422, note="已处置", photos=[bad])
    message = r["error"]["message"]
    assert "photos.0" in message
    assert "/media/<yyyy>/<mm>/<name>" in message
    assert city.snapshot() == before


def test_stored_media_is_accepted_on_intake_and_on_a_result(city: City) -> None:
    case = city.create(photos=[GOOD, "  "])
    assert city.history("op", case["id"])[0]["attachments"] == [GOOD]  # the blank one dropped
    done = city.act("h_cgj", _finishable(city), "finish", photos=[GOOD])
    assert done["status"] == "handled"


@pytest.mark.parametrize("bad", ["javascript:alert(1)", "../../../../etc/passwd"])
def test_the_engine_refuses_them_without_the_http_models(city: City, bad: str) -> None:
    with city.platform.read() as s, pytest.raises(ValidationFailed) as intake:
        city.platform.cases.prepare_case(
            s,
            OPERATOR,
            NewCase(
                source=CaseSource.hotline,
                title="路灯不亮",
                description="湖滨路口的路灯晚上不亮",
                category_code=LAMP,
                area_code=GRID,
                photos=(bad,),
            ),
        )
    assert intake.value.code == "invalid_photo"
    assert "photos[0]" in intake.value.message
    case = _finishable(city)
    handler = Actor(
        user_id=None,
        username="t-h",
        roles=frozenset({Role.handler}),
        department_id=case["department"]["id"],
        department_code="CGJ",
    )
    with city.platform.read() as s, pytest.raises(ValidationFailed) as step:
        city.platform.cases.prepare_action(
            s,
            handler,
            case["id"],
            CaseAction.finish,
            ActionCommand(version=case["version"], note="修好", photos=(bad,)),
        )
    assert "photos" in step.value.message
