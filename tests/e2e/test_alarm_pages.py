"""告警台 and 告警规则 in a real browser. Readings sent through the HTTP telemetry API with the
device's token cross a stored rule, and the platform's alarm runner raises the alarm; the board
shows it, a second device's alarm arrives by the live event stream without a reload, a group
alarm opens to its member devices, and a dispatcher acknowledges, comments and assigns through
the page (checked through the API). An administrator creates a rule through the form, sees the
API's validation error at the field it names, fixes it and backtests it over the stored
readings (the alarms listed and charted), marks a YAML error's line, saves the YAML and imports
a file. At 1920 and 390 px wide, in Chinese and English; screenshots in
test-artifacts/screenshots/ (alarms-*.png, rules-*.png)."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser
from cityops.sensing.public import NewDevice

from .conftest import CHROMIUM, PASSWORD, T0, shoot, sign_in

if not CHROMIUM.exists():
    pytest.skip("Debian's Chromium (/usr/bin/chromium) is not installed", allow_module_level=True)

pytestmark = pytest.mark.e2e

NewPage = Callable[..., Any]
ORIGIN = (120.121, 30.251)  # inside the generated demo city
LIVE_RULE: dict[str, Any] = {
    "name": "PM2.5 超标",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
    "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 100}},
}
WIDTHS = {"wide": (1920, 1080), "phone": (390, 844)}


@pytest.fixture(scope="module")
def admin(e2e_platform: Platform, seeded: dict[str, str]) -> str:
    with e2e_platform.uow() as uow:
        e2e_platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="adm1", password=PASSWORD, roles=("admin",), display_name="管理员甲"),
        )
    return "adm1"


@pytest.fixture(scope="module")
def http(e2e_platform: Platform, admin: str, live_server: str) -> Iterator[httpx.Client]:
    """The API as the administrator (a bearer token), to set up and to check what pages did."""
    with e2e_platform.read() as s:
        token = e2e_platform.org.access_token_for_user(s, admin).access_token
    headers = {"Authorization": f"Bearer {token}"}
    with httpx.Client(base_url=live_server, headers=headers, timeout=10) as client:
        yield client


def _device(p: Platform, code: str, **kw: Any) -> str:
    """Register an air-quality station; returns its token."""
    with p.uow() as uow:
        registered = p.sensing.register_device(
            uow.session,
            SYSTEM,
            NewDevice(code=code, type_code="air_quality", lon=ORIGIN[0], lat=ORIGIN[1], **kw),
        )
    assert registered.token
    return registered.token


def _send(http: httpx.Client, token: str, points: list[tuple[float, float]]) -> None:
    """Readings (minutes before T0, pm25) through the telemetry API, signed by the device."""
    body = [
        {"ts": int((T0 - timedelta(minutes=m)).timestamp() * 1000), "values": {"pm25": v}}
        for m, v in points
    ]
    r = http.post(
        "/api/v1/telemetry",
        content=json.dumps(body),
        headers={"X-Device-Token": token, "Authorization": ""},
    )
    assert r.status_code == 200, r.text
    assert r.json()["accepted"] == len(points)


@pytest.fixture(scope="module")
def runner(e2e_platform: Platform) -> Iterator[None]:
    """The alarm runner's scheduled job, as the lease holder runs it (the live server of these
    tests starts no background threads)."""
    stop = threading.Event()

    def loop() -> None:
        while not stop.wait(0.05):
            e2e_platform.alarms.runner.step()

    thread = threading.Thread(target=loop, name="e2e-alarm-runner", daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def city(e2e_platform: Platform, http: httpx.Client, runner: None) -> dict[str, str]:
    """A rule on air-quality stations and one station whose readings crossed it 4 h ago (for
    the backtest) and cross it again now: the runner raises an alarm."""
    saved = http.put("/api/v1/alarm-rules/pm25-live", json={"body": LIVE_RULE})
    assert saved.status_code == 200, saved.text
    token = _device(e2e_platform, "AQ-E2E-1", om_department="SWJ")  # hand1's unit keeps it
    history = [(m, 200.0 if 190 <= m <= 240 else 80.0) for m in range(360, 59, -10)]
    _send(http, token, history)
    _send(http, token, [(5, 210.0)])
    return {"AQ-E2E-1": token, "AQ-E2E-2": _device(e2e_platform, "AQ-E2E-2")}


def _active(http: httpx.Client, device: str) -> dict[str, Any]:
    page = http.get("/api/v1/alarms", params={"active": True, "device": device}).json()
    assert page["total"] == 1, page
    found: dict[str, Any] = page["items"][0]
    return found


def _fits_phone(page: Any) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width} px wide on a 390 px phone"


def test_the_board_shows_alarms_and_a_dispatcher_handles_them(
    new_page: NewPage, city: dict[str, str], http: httpx.Client
) -> None:
    page = new_page()
    sign_in(page, "disp1")
    expect(page.locator("a[data-nav=alarms]")).to_be_visible()
    page.goto("/console/alarms")
    row = page.locator("tr[data-device-row=AQ-E2E-1]")
    expect(row).to_be_visible(timeout=20_000)  # the runner polls the reading log
    expect(row.locator("td").first).to_contain_text("重要")
    expect(page.locator(".sev-count[data-severity=major] .sev-count-value")).to_have_text("1")
    expect(row.locator("a[href='/console/devices/AQ-E2E-1']")).to_be_visible()

    # a second station crosses the rule while the page is open: the live event stream brings
    # it without a reload, sooner than the 10 s poll the page falls back on without a stream
    expect(page.locator("#live")).to_have_attribute("data-status", "live")
    _send(http, city["AQ-E2E-2"], [(2, 320.0)])
    fresh = page.locator("tr[data-device-row=AQ-E2E-2]")
    expect(fresh).to_be_visible(timeout=8_000)
    assert "row-fresh" in (fresh.get_attribute("class") or "")
    expect(page.locator(".sev-count[data-severity=major] .sev-count-value")).to_have_text("2")

    # 确认 with one click
    alarm = _active(http, "AQ-E2E-1")
    assert alarm["acked"] is False
    row.locator("button[data-act=ack]").click()
    expect(row.locator("button[data-act=ack]")).to_have_count(0)
    acked = http.get(f"/api/v1/alarms/{alarm['id']}").json()
    assert acked["acked"] is True
    assert acked["acked_by"] == "disp1"

    # 备注 in the small dialog; the history panel shows it
    row.locator("button[data-act=comment]").click()
    page.locator("#comment-text").fill("已通知环保巡查")
    page.locator("#alarm-dialog button[type=submit]").click()
    expect(page.locator("#alarm-dialog")).to_be_hidden()
    history = http.get(f"/api/v1/alarms/{alarm['id']}").json()["history"]
    assert [(h["action"], h["note"]) for h in history if h["action"] == "commented"] == [
        ("commented", "已通知环保巡查")
    ]
    row.locator(".alarm-title").click()
    panel = page.locator("#alarm-panel")
    expect(panel.locator("[data-action=commented]")).to_contain_text("已通知环保巡查")
    expect(panel.locator("[data-action=acknowledged]")).to_be_visible()

    # 指派 to oneself through the picker
    row.locator("button[data-act=assign]").click()
    page.locator("#alarm-dialog").get_by_role("button", name="指派给我").click()
    page.locator("#alarm-dialog button[type=submit]").click()
    expect(row).to_contain_text("disp1")
    assert http.get(f"/api/v1/alarms/{alarm['id']}").json()["assignee"] == "disp1"

    # filters: unacknowledged only leaves the second station
    page.locator("#af-acked").select_option("no")
    expect(page.locator("tr[data-device-row]")).to_have_count(1)
    expect(fresh).to_be_visible()
    page.locator("#af-acked").select_option("")


@pytest.fixture(scope="module")
def gateway(e2e_platform: Platform, http: httpx.Client, city: dict[str, str]) -> list[str]:
    """Ten stations behind one gateway that last reported 3 h ago (their timeout: 10 min): the
    runner's inactivity pass raises one group alarm for them."""
    codes = [f"GW-E2E-{n:02d}" for n in range(10)]
    for code in codes:
        token = _device(e2e_platform, code, gateway_code="GW-E2E", inactivity_seconds=600)
        _send(http, token, [(180, 40.0)])
    e2e_platform.sensing.writer.flush_latest()  # the latest values, as the writer's timer does
    e2e_platform.alarms.runner.check_inactivity()
    return codes


def test_a_group_alarm_opens_to_its_member_devices(
    new_page: NewPage, gateway: list[str], http: httpx.Client
) -> None:
    groups = http.get("/api/v1/alarms", params={"active": True, "kind": "group"}).json()
    assert groups["total"] == 1, groups
    assert sorted(groups["items"][0]["members"]) == gateway
    page = new_page("en")
    sign_in(page, "lead1")
    page.goto("/console/alarms?kind=group")
    row = page.locator("tr[data-alarm]")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Group")
    row.locator("button[data-members]").click()
    links = row.locator(".members a")
    expect(links).to_have_count(10)
    expect(links.first).to_have_attribute("href", f"/console/devices/{gateway[0]}")


def test_staff_who_only_read_see_no_buttons(new_page: NewPage, city: dict[str, str]) -> None:
    """A handler of the unit that keeps the station (alarms follow the case scope) reads its
    alarm and the rules, with no button to act."""
    page = new_page()
    sign_in(page, "hand1")
    page.goto("/console/alarms")
    expect(page.locator("tr[data-device-row=AQ-E2E-1]")).to_be_visible(timeout=20_000)
    expect(page.locator("button[data-act]")).to_have_count(0)
    page.goto("/console/rules")
    expect(page.locator("tr[data-rule=pm25-live]")).to_be_visible()
    expect(page.locator("#rule-new")).to_be_hidden()


def test_an_administrator_writes_a_rule_and_backtests_it(
    new_page: NewPage, city: dict[str, str], http: httpx.Client
) -> None:
    page = new_page()
    sign_in(page, "adm1")
    page.goto("/console/rules")
    expect(page.locator("tr[data-rule=pm25-live]")).to_be_visible()
    page.locator("#rule-new").click()
    page.locator("#r-code").fill("pm25-form")
    page.locator("#r-name").fill("PM2.5 持续超标")
    page.locator("#r-severity").select_option("critical")
    page.locator("#r-metric").fill("pm25")
    page.locator("#r-value").fill("150")
    page.locator("#r-for").fill("10 minutes")
    page.locator("#r-clear-value").fill("100")
    page.locator("#r-type").select_option("air_quality")
    page.locator("#rule-save").click()
    # the API refuses the duration: its reason shows at the field it names
    error = page.locator(".field:has(#r-for) .field-error")
    expect(error).to_contain_text("duration")
    expect(page.locator("#r-for")).to_have_attribute("aria-invalid", "true")
    shoot(page, "rules-form-error")
    assert http.get("/api/v1/alarm-rules/pm25-form").status_code == 404
    page.locator("#r-for").fill("10m")
    page.locator("#rule-save").click()
    expect(page.locator("#rule-editor-title")).to_have_text("pm25-form · v1")
    stored = http.get("/api/v1/alarm-rules/pm25-form").json()
    assert stored["enabled"] is False
    assert stored["body"]["for"] == "10m"
    assert stored["body"]["when"] == {"threshold": {"metric": "pm25", "op": ">", "value": 150.0}}
    assert stored["body"]["clear_when"]["threshold"]["value"] == 100.0

    # the YAML view shows the same rule
    page.locator("#rule-tab-yaml").click()
    expect(page.locator("#rule-yaml")).to_be_visible()
    assert "- code: pm25-form" in page.locator("#rule-yaml").input_value()
    assert "for: '10m'" in page.locator("#rule-yaml").input_value()

    # backtest over the stored readings: the station's 60 minutes above 150, 4 h before T0
    page.locator("#bt-devices").fill("AQ-E2E-1")
    start, end = (T0 - timedelta(days=1)), T0
    page.locator("#bt-from").fill(start.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#bt-to").fill(end.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#bt-run").click()
    rows = page.locator("#bt-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("AQ-E2E-1")
    expect(rows.first).to_contain_text("2026-11-23 05:10")
    expect(page.locator("#bt-chart")).to_have_attribute("data-spans", "1")
    expect(page.locator("#bt-chart canvas")).to_have_count(1)
    asked = http.post(
        "/api/v1/alarm-rules/pm25-form/backtest",
        json={"start": start.isoformat(), "end": end.isoformat(), "devices": ["AQ-E2E-1"]},
    ).json()
    assert asked["count"] == 1
    assert int(page.locator("#bt-chart").get_attribute("data-points") or 0) == asked["readings"]

    # switched on after the backtest
    page.locator("#rule-toggle").click()
    expect(page.locator("#rule-state")).to_have_text("已启用")
    assert http.get("/api/v1/alarm-rules/pm25-form").json()["enabled"] is True

    # the YAML view saves the whole rule; its error is marked at the line the API's path names
    page.locator("#rule-tab-yaml").click()
    yaml_box = page.locator("#rule-yaml")
    text = yaml_box.input_value()
    lines = text.split("\n")
    at = next(i for i, line in enumerate(lines) if line.strip() == "severity: critical")
    yaml_box.fill(text.replace("severity: critical", "severity: huge"))
    page.locator("#rule-save").click()
    expect(page.locator("#yaml-error")).to_contain_text(f"第 {at + 1} 行")
    expect(page.locator("#yaml-error")).to_contain_text("severity")
    expect(page.locator(".yaml-lines .bad")).to_have_text(str(at + 1))
    shoot(page, "rules-yaml-error")
    yaml_box.fill(text.replace("severity: critical", "severity: minor"))
    page.locator("#rule-save").click()
    expect(page.locator("#rule-editor-title")).to_have_text("pm25-form · v2")
    assert http.get("/api/v1/alarm-rules/pm25-form").json()["body"]["severity"] == "minor"

    # import a YAML file: its rule is listed
    document = {"rules": [{**LIVE_RULE, "code": "pm25-imported", "severity": "warning"}]}
    page.locator("#rules-import").set_input_files(
        files=[
            {
                "name": "rules.yaml",
                "mimeType": "application/yaml",
                "buffer": json.dumps(document, ensure_ascii=False).encode(),
            }
        ]
    )
    expect(page.locator("tr[data-rule=pm25-imported]")).to_be_visible()
    assert http.get("/api/v1/alarm-rules/pm25-imported").json()["body"]["severity"] == "warning"


@pytest.mark.parametrize("width", list(WIDTHS))
@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_both_pages_at_both_widths_and_languages(
    new_page: NewPage, city: dict[str, str], lang: str, width: str
) -> None:
    page = new_page(lang)
    w, h = WIDTHS[width]
    page.set_viewport_size({"width": w, "height": h})
    sign_in(page, "adm1")
    page.goto("/console/alarms")
    expect(page.locator("tr[data-device-row=AQ-E2E-1]")).to_be_visible(timeout=20_000)
    page.locator("tr[data-device-row=AQ-E2E-1] .alarm-title").click()
    expect(page.locator("#alarm-panel [data-action=raised]")).to_be_visible()
    shoot(page, f"alarms-{lang}-{width}")
    if width == "phone":
        _fits_phone(page)
    page.goto("/console/rules#pm25-live")
    expect(page.locator("#rule-editor-title")).to_contain_text("pm25-live")
    page.locator("#bt-devices").fill("AQ-E2E-1")
    page.locator("#bt-from").fill((T0 - timedelta(hours=8)).strftime("%Y-%m-%dT%H:%M"))
    page.locator("#bt-to").fill(T0.strftime("%Y-%m-%dT%H:%M"))
    page.locator("#bt-run").click()
    expect(page.locator("#bt-chart canvas")).to_have_count(1)
    shoot(page, f"rules-{lang}-{width}")
    if width == "phone":
        _fits_phone(page)
