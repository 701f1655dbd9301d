"""A leaf category's keywords (关键词) in a real browser: an administrator edits them on the
/admin page's 权责清单 tab; the API then has them with a revision, and the router's leaf model
reads them (a text with the new word names the leaf). The case page's routing card shows the
place's evidence line (本网格近30天同类 12 件)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.appeals.routing.decisions import RoutingDecision, insert_decision
from cityops.appeals.routing.dispatch_rule import RouteSuggestion, RoutingOutcome, RoutingReason
from cityops.appeals.routing.place import PlaceNote, Ring
from cityops.cases.public import CaseSource, NewCase
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

from .conftest import CHROMIUM, PASSWORD, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
LEAF = "A010102"  # 物业费纠纷
PLACE = (120.1235, 30.2535)


@pytest.fixture(scope="module")
def admin(e2e_platform: Platform, seeded: dict[str, str]) -> str:
    with e2e_platform.uow() as uow:
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="kwadm", password=PASSWORD, roles=("admin",), display_name="管理员"),
        )
    return "kwadm"


@pytest.fixture(scope="module")
def http(e2e_platform: Platform, admin: str, live_server: str) -> Iterator[httpx.Client]:
    with e2e_platform.read() as s:
        token = e2e_platform.org.access_token_for_user(s, admin).access_token
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server, headers=headers, timeout=10) as client:
        yield client


def test_admin_edits_a_leafs_keywords_and_the_router_reads_them(
    new_page: NewPage, admin: str, http: httpx.Client, e2e_platform: Platform
) -> None:
    before = http.get(f"/api/v1/categories/{LEAF}").json()["keywords"]
    assert "车位租金" not in before
    with e2e_platform.read() as s:
        assert LEAF not in e2e_platform.routing.leaf_index(s).score("地下车位租金太贵")

    page = new_page()
    sign_in(page, admin)
    page.goto("/admin#categories")
    cats = page.locator("#panel-categories")
    expect(cats).to_have_attribute("aria-busy", "false")
    cats.locator("#cat-search").fill(LEAF)
    row = cats.locator(f"tr[data-category={LEAF}]")
    row.get_by_role("button", name="编辑").click()
    box = page.locator("#admin-dialog")
    expect(box).to_be_visible()
    field = box.locator("#f-keywords")
    expect(field).to_have_value("、".join(before))
    expect(box).to_contain_text("关键词")
    field.fill(f"{field.input_value()}，车位租金 车位租金")
    shoot(page, "admin-category-keywords")
    box.get_by_role("button", name="保存").click()
    expect(box).to_be_hidden()

    saved = http.get(f"/api/v1/categories/{LEAF}").json()
    assert saved["keywords"] == [*before, "车位租金"]
    last = http.get(f"/api/v1/categories/{LEAF}/revisions").json()[-1]
    assert (last["changed_by"], last["after"]["keywords"]) == (admin, [*before, "车位租金"])
    with e2e_platform.read() as s:
        assert LEAF in e2e_platform.routing.leaf_index(s).score("地下车位租金太贵")


@pytest.fixture(scope="module")
def placed_case(e2e_platform: Platform, seeded: dict[str, str]) -> int:
    p = e2e_platform
    with p.read() as session:
        operator = p.org.actor_for_user(session, "op1")
    with p.uow() as uow:
        case = p.cases.create_case(
            uow,
            operator,
            NewCase(
                source=CaseSource.hotline,
                title="市民反映：占道经营",
                description="路口每天晚上都有人摆摊",
                category_code="A010102",
                lon=PLACE[0],
                lat=PLACE[1],
            ),
        )
        guess = RouteSuggestion(
            label="城乡建设",
            probability=0.41,
            category_code="A010102",
            category_name="物业费纠纷",
            department_code=None,
            department_name=None,
            top_words=(),
            label_probability=0.8,
            text_probability=0.3,
            place=PlaceNote(Ring.community, 30, 12, 1.6),
        )
        insert_decision(
            uow.session,
            RoutingDecision(
                case_id=case.id,
                source="hotline",
                model_version="e2e",
                suggestions=(guess,),
                category_code="A010102",
                confidence=0.41,
                threshold=0.85,
                department_code=None,
                department_name=None,
                outcome=RoutingOutcome.queued,
                reason=RoutingReason.low_confidence,
                decided_at=p.clock.now(),
            ),
        )
    return case.id


def test_the_routing_card_says_the_place_contributed(new_page: NewPage, placed_case: int) -> None:
    page = new_page()
    sign_in(page, "disp1")
    page.goto(f"/cases/{placed_case}")
    card = page.locator("#routing-card")
    expect(card).to_be_visible()
    expect(card.locator(".routing-place")).to_have_text("本社区近30天同类 12 件")
    shoot(page, "routing-card-place")
