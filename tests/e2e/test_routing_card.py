"""The routing card on the case page in a real browser: it shows the unit the responsibility list
presets for the case's category next to the model's suggestion and says when they differ (issue
#14: 住建局 72 % against the list's 供水集团, silently); and the pages of handlers and inspectors,
who may not read routing records, do not ask for them (they got 403 on every case page)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.appeals.routing.decisions import RoutingDecision, insert_decision
from cityops.appeals.routing.dispatch_rule import RouteSuggestion, RoutingOutcome, RoutingReason
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, NewCase

from .conftest import CHROMIUM, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
PLACE = (120.1235, 30.2535)  # in the inspector's districts


@pytest.fixture(scope="module")
def cases(e2e_platform: Platform, seeded: dict[str, str]) -> dict[str, int]:
    p = e2e_platform
    with p.read() as session:
        operator = p.org.actor_for_user(session, "op1")
        dispatcher = p.org.actor_for_user(session, "disp1")
    with p.uow() as uow:
        no_water = p.cases.create_case(
            uow,
            operator,
            NewCase(
                source=CaseSource.hotline,
                title="市民反映：停水",
                description="小区从早上开始停水，到现在也没有通知什么时候来水",
                category_code="A010301",  # 停水: the list presets 供水集团
                lon=PLACE[0],
                lat=PLACE[1],
            ),
        )
        guess = RouteSuggestion(
            label="城乡建设",
            probability=0.72,
            category_code="A01",
            category_name="城乡建设",
            department_code="ZJJ",
            department_name="住房和城乡建设局",
            top_words=(("小区", 0.12),),
            leaf=False,
            label_probability=0.72,
        )
        insert_decision(
            uow.session,
            RoutingDecision(
                case_id=no_water.id,
                source="hotline",
                model_version="e2e",
                suggestions=(guess,),
                category_code="A01",
                confidence=0.72,
                threshold=0.85,
                department_code="ZJJ",
                department_name="住房和城乡建设局",
                outcome=RoutingOutcome.queued,
                reason=RoutingReason.contradicts_preset,
                decided_at=p.clock.now(),
            ),
        )
    with p.uow() as uow:
        flooded = p.cases.create_case(
            uow,
            operator,
            NewCase(
                source=CaseSource.hotline,
                title="市民反映：道路积水",
                description="路口积水很深，车辆无法通行",
                category_code="E0502",  # 道路积水: 水务局, the handler's department
                lon=PLACE[0],
                lat=PLACE[1],
            ),
        )
    for action in ("register", "dispatch"):
        with p.uow() as uow:
            flooded = p.cases.act(
                uow, dispatcher, flooded.id, CaseAction(action), ActionCommand(flooded.version)
            )
    return {"no_water": no_water.id, "flooded": flooded.id}


def test_the_card_shows_the_preset_and_says_the_model_differs(
    new_page: NewPage, cases: dict[str, int]
) -> None:
    page = new_page()
    sign_in(page, "disp1")
    page.goto(f"/cases/{cases['no_water']}")
    card = page.locator("#routing-card")
    expect(card).to_be_visible()
    expect(card).to_contain_text("权责清单预设：A010301 停水 → 供水集团")
    expect(card).to_contain_text("模型建议：A01 城乡建设 → 住房和城乡建设局")
    expect(card).to_contain_text("二者不一致，请核对后派遣。")
    expect(card).to_contain_text("仅大类，细类未定")
    expect(card.locator(".routing-differs")).to_have_count(1)
    shoot(page, "routing-card-differs")


@pytest.mark.parametrize("user", ["hand1", "insp1"])
def test_pages_of_roles_that_may_not_read_routing_do_not_ask(
    new_page: NewPage, cases: dict[str, int], user: str
) -> None:
    page = new_page()
    asked: list[tuple[str, int]] = []
    page.on(
        "response",
        lambda r: asked.append((r.url, r.status)) if r.url.endswith("/routing") else None,
    )
    sign_in(page, user)
    page.goto(f"/cases/{cases['flooded']}")
    page.locator("#case-fields dd").first.wait_for()
    page.wait_for_load_state("networkidle")
    assert asked == []
    expect(page.locator("#routing-card")).to_be_hidden()
