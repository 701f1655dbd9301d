"""网格通, the inspector's phone app (/m), in a phone-sized Chromium with touch and a GPS fix:
the inspector opens it, the network goes away, they report a case with a photo and verify a
handled case with an after-photo — both wait in the outbox — the page is reloaded with no
network (the service worker serves the shell and the last reads), the network returns and each
write reaches the server exactly once: one case with its photo, one 核查 with its photo. A
write sent again with its key changes nothing. Screenshots at 390 px in Chinese and English
and at 1920 px."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import pytest
from PIL import Image
from playwright.sync_api import expect
from sqlalchemy import select

from cityops.app import Platform
from cityops.cases.public import ActionCommand, CaseAction, CaseSource, CaseView, NewCase
from cityops.cases.store import case_history, cases
from cityops.kernel.actor import Actor

from .conftest import PASSWORD, shoot, sign_in

WATER = "C010102"  # 污水井盖, routed to 水务局 (SWJ), hand1's
HERE = {"latitude": 30.2530, "longitude": 120.1465}
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 2,
    "is_mobile": True,
    "has_touch": True,
    "geolocation": HERE,
    "permissions": ["geolocation"],
}


def _jpeg(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (320, 240), colour).save(out, format="JPEG")
    return out.getvalue()


class World:
    def __init__(self, platform: Platform) -> None:
        self.p = platform

    def actor(self, user: str) -> Actor:
        with self.p.read() as session:
            return self.p.org.actor_for_user(session, user)

    def act(self, user: str, case: CaseView, action: str, **fields: Any) -> CaseView:
        with self.p.uow() as uow:
            return self.p.cases.act(
                uow,
                self.actor(user),
                case.id,
                CaseAction(action),
                ActionCommand(case.version, **fields),
            )

    def handled(self) -> CaseView:
        """A case reported by phone, dispatched to 水务局 and reported handled with a photo."""
        from cityops.cases.public import PhotoUpload

        with self.p.uow() as uow:
            case = self.p.cases.create_case(
                uow,
                self.actor("op1"),
                NewCase(
                    source=CaseSource.hotline,
                    title="污水井盖破损",
                    description="市民来电反映人行道污水井盖破损，有安全隐患。",
                    category_code=WATER,
                    lon=120.1480,
                    lat=30.2545,
                    address="湖滨路 18 号",
                    reporter_phone="13812341234",
                ),
            )
        case = self.act("disp1", self.act("disp1", case, "register"), "dispatch")
        case = self.act("hand1", case, "sign")
        photo = self.p.photos.upload_photo(
            self.actor("hand1"), PhotoUpload(filename="after.jpg", data=_jpeg((40, 140, 90)))
        )
        return self.act("hand1", case, "finish", note="已更换井盖", photos=[photo.ref])

    def history(self, case_id: int) -> list[Any]:
        with self.p.read() as s:
            return list(
                s.execute(select(case_history).where(case_history.c.case_id == case_id)).mappings()
            )

    def inspector_reports(self) -> list[Any]:
        with self.p.read() as s:
            return list(
                s.execute(
                    select(cases).where(
                        cases.c.source == "inspector", cases.c.created_by_name == "insp1"
                    )
                ).mappings()
            )


@pytest.fixture(scope="module")
def world(e2e_platform: Platform, seeded: dict[str, str]) -> World:
    return World(e2e_platform)


@pytest.fixture
def phone(browser: Any, live_server: str) -> Any:
    contexts: list[Any] = []
    errors: list[str] = []

    def make(lang: str = "zh-CN", **over: Any) -> tuple[Any, Any]:
        context = browser.new_context(base_url=live_server, locale=lang, **{**PHONE, **over})
        context.add_init_script(f"localStorage.setItem('cityops.lang', '{lang}')")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        return context, page

    yield make
    for context in contexts:
        context.close()
    assert not errors, f"JavaScript errors in the app: {errors}"


def open_app(page: Any) -> None:
    sign_in(page, "insp1")
    page.goto("/m")
    # the service worker took over and read the data again through it
    page.wait_for_function("document.body.dataset.offlineReady === '1'", timeout=20_000)


def test_offline_report_and_verify_reach_the_server_once(
    phone: Any, world: World, tmp_path: Path
) -> None:
    task = world.handled()
    context, page = phone()
    open_app(page)
    expect(page.locator("#m-pending")).to_be_hidden()
    page.get_by_role("link", name="我的任务").click()
    card = page.locator("#task-list li", has_text=task.number)
    expect(card).to_be_visible()
    expect(card).to_contain_text("核查")
    expect(card).to_contain_text(re.compile(r"\d+ 米"))
    shoot(page, "mobile-01-tasks-390-zh", full_page=False)

    context.set_offline(True)
    # and nothing reaches the server, the service worker's own requests included
    context.route(re.compile(".*"), lambda route: route.abort("internetdisconnected"))
    expect(page.locator("#m-net")).to_have_text("离线")

    # 上报: a photo, the GPS point, a category found by search, a few words
    before = tmp_path / "before.jpg"
    before.write_bytes(_jpeg((200, 80, 40)))
    page.get_by_role("link", name="上报").click()
    page.locator("#r-photo").set_input_files(str(before))
    expect(page.locator("#r-thumbs img")).to_have_count(1)
    expect(page.locator("#r-point")).to_contain_text("120.14650")
    page.locator("#r-cat-q").fill("井盖")
    page.locator("#r-cat-list button").first.click()
    expect(page.locator("#r-cat-chosen")).not_to_be_empty()
    page.locator("#r-desc").fill("人行道井盖缺失")
    shoot(page, "mobile-02-report-390-zh")
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#m-pending")).to_have_text("1")

    # 核查 with an after-photo
    after = tmp_path / "after.jpg"
    after.write_bytes(_jpeg((60, 160, 220)))
    page.get_by_role("link", name="我的任务").click()
    page.locator("#task-list li", has_text=task.number).locator("a").click()
    expect(page.locator("#task-detail .m-nav-links a")).to_have_count(3)
    expect(page.locator("#task-detail a[href^='geo:']")).to_be_visible()
    page.get_by_text("已解决（通过）").click()
    page.locator("#v-photo").set_input_files(str(after))
    page.locator("#v-note").fill("现场已修复")
    shoot(page, "mobile-03-verify-390-zh")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#m-pending")).to_have_text("2")
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(2)
    assert world.inspector_reports() == []

    # reloaded with no network: the service worker serves the shell, the outbox is still there
    page.reload()
    expect(page.locator("#m-net")).to_have_text("离线")
    assert page.evaluate("performance.getEntriesByType('navigation')[0].workerStart > 0")
    page.goto("/m#outbox")
    expect(page.locator("#outbox-list li[data-state=pending]")).to_have_count(2)
    expect(page.locator("#m-pending")).to_have_text("2")
    shoot(page, "mobile-04-outbox-offline-390-zh")

    context.unroute(re.compile(".*"))
    context.set_offline(False)
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(2, timeout=20_000)
    expect(page.locator("#m-pending")).to_be_hidden()
    shoot(page, "mobile-05-outbox-synced-390-zh")

    [report] = world.inspector_reports()
    assert report["category_code"].startswith("C")
    [reported] = [h for h in world.history(report["id"]) if h["action"] == "report"]
    assert len(reported["attachments"]) == 1
    verifies = [h for h in world.history(task.id) if h["action"] == "verify"]
    assert len(verifies) == 1
    assert verifies[0]["data"]["passed"] is True
    assert len(verifies[0]["attachments"]) == 1

    # the answers were lost, say: the phone sends both writes again with their keys
    replays = page.evaluate(
        """async () => {
          const { allItems } = await import('/static/js/mobile/outbox.js');
          const { writeHeaders } = await import('/static/js/api.js');
          const out = [];
          for (const item of await allItems()) {
            const url = item.kind === 'report' ? '/api/v1/cases'
              : `/api/v1/cases/${item.caseId}/actions/${item.action}`;
            const res = await fetch(url, {
              method: 'POST',
              headers: { ...writeHeaders(), 'Content-Type': 'application/json',
                         'Idempotency-Key': item.key },
              body: JSON.stringify({ ...item.body, photos: item.refs }),
            });
            out.push([res.status, res.headers.get('Idempotent-Replayed')]);
          }
          return out;
        }"""
    )
    assert replays == [[200, "true"], [200, "true"]]
    assert len(world.inspector_reports()) == 1
    assert len([h for h in world.history(task.id) if h["action"] == "verify"]) == 1


def test_a_step_someone_else_took_meanwhile_is_shown_as_a_conflict(
    phone: Any, world: World
) -> None:
    task = world.handled()
    context, page = phone()
    open_app(page)
    context.set_offline(True)
    page.goto("/m#tasks")
    page.locator("#task-list li", has_text=task.number).locator("a").click()
    page.get_by_text("未解决（返工）").click()
    page.locator("#v-note").fill("井盖仍然松动")
    page.get_by_role("button", name="提交", exact=True).click()
    expect(page.locator("#m-pending")).to_have_text("1")
    world.act("disp1", task, "verify", passed=True)  # the dispatcher closes it meanwhile
    context.set_offline(False)
    item = page.locator("#outbox-list li[data-state=conflict]")
    expect(item).to_have_count(1, timeout=20_000)
    expect(item).to_contain_text("冲突")
    expect(item.locator(".m-error")).to_contain_text("已被他人处理")
    expect(page.locator("#m-pending")).to_be_hidden()
    shoot(page, "mobile-10-conflict-390-zh", full_page=False)
    verifies = [h for h in world.history(task.id) if h["action"] == "verify"]
    assert [v["actor_name"] for v in verifies] == ["张派遣"]
    item.get_by_role("button", name="放弃此条").click()
    expect(page.locator("#outbox-list li")).to_have_count(0)


def test_the_app_in_english_and_on_a_wide_screen(phone: Any, world: World) -> None:
    world.handled()
    _, page = phone("en")
    open_app(page)
    page.get_by_role("link", name="My tasks").click()
    expect(page.locator("#task-list li").first).to_contain_text("Verify")
    shoot(page, "mobile-06-tasks-390-en", full_page=False)
    page.get_by_role("link", name="Report").click()
    expect(page.get_by_role("button", name="Send the report")).to_be_visible()
    shoot(page, "mobile-07-report-390-en")
    page.get_by_role("link", name="My grid").click()
    expect(page.locator("#m-map .leaflet-interactive").first).to_be_visible()
    shoot(page, "mobile-08-map-390-en", full_page=False)
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.get_by_role("link", name="My tasks").click()
    shoot(page, "mobile-09-tasks-1920-en", full_page=False)


def test_other_roles_get_a_page_that_says_so(phone: Any) -> None:
    _, page = phone()
    sign_in(page, "disp1")
    response = page.goto("/m")
    assert response is not None
    assert response.status == 403
    expect(page.get_by_role("heading", name="网格通仅供网格员使用")).to_be_visible()
    expect(page.get_by_role("link", name="进入控制台")).to_have_attribute("href", "/")


def test_a_phone_passed_on_sends_each_report_with_its_own_account(
    phone: Any, world: World, tmp_path: Path
) -> None:
    """Signing out ends the session and leaves the queue; the next account on the phone neither
    sees nor sends what the first one queued: that waits for its own account."""
    from cityops.kernel.actor import SYSTEM
    from cityops.org.public import NewUser

    with world.p.uow() as uow:
        world.p.org.create_user(
            uow,
            SYSTEM,
            NewUser(
                username="insp_next",
                password=PASSWORD,
                roles=["inspector"],
                area_codes=("330191",),
            ),
        )
    context, page = phone()
    open_app(page)
    # the report stays queued: every case intake fails to get through
    context.route("**/api/v1/cases", lambda route: route.abort("internetdisconnected"))
    photo = tmp_path / "queued.jpg"
    photo.write_bytes(_jpeg((90, 90, 200)))
    page.get_by_role("link", name="上报").click()
    page.locator("#r-photo").set_input_files(str(photo))
    page.locator("#r-cat-q").fill("井盖")
    page.locator("#r-cat-list button").first.click()
    page.locator("#r-desc").fill("交接前排队的上报")
    page.get_by_role("button", name="提交上报").click()
    expect(page.locator("#m-pending")).to_have_text("1")

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login"))
    context.unroute("**/api/v1/cases")
    sign_in(page, "insp_next")
    page.goto("/m#outbox")
    expect(page.locator("#outbox-list li")).to_have_count(0)
    page.wait_for_timeout(3000)  # a sync pass would have sent it by now
    assert queued(world) == []

    page.get_by_role("button", name="退出").click()
    page.wait_for_url(re.compile(r"/login"))
    sign_in(page, "insp1")
    page.goto("/m#outbox")
    expect(page.locator("#outbox-list li[data-state=done]")).to_have_count(1, timeout=20_000)
    assert [r["created_by_name"] for r in queued(world)] == ["insp1"]


def queued(world: World) -> list[Any]:
    with world.p.read() as s:
        query = select(cases).where(cases.c.description == "交接前排队的上报")
        return list(s.execute(query).mappings())
