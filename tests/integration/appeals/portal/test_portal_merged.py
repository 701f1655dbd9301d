"""合并办理 through the front door, on both databases: two citizens report the same problem on the
portal, a dispatcher merges the second appeal into the first, staff take the first to closed
(and back through 重办). Both citizens hear every later step, each with their own tracking code;
the merged appeal's tracking page and its Open311 request and updates follow the shared case."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select
from tests.integration.appeals.portal.conftest import PHONE, Portal

from cityops.appeals.notify.messages import without_code
from cityops.appeals.notify.store import notifications

OTHER_PHONE = "13900001111"


@pytest.fixture
def merged(portal: Portal) -> dict[str, Any]:
    """Appeal `kept` (PHONE) and appeal `dup` (OTHER_PHONE) merged into it, both just reported."""
    kept = portal.submit()
    dup = portal.submit(phone=OTHER_PHONE, description="湖滨路口路灯坏了好几天，晚上很黑")
    kept_id, dup_id = portal.case_id(kept["tracking_code"]), portal.case_id(dup["tracking_code"])
    case = portal.act("disp", dup_id, "merge", into_case_id=kept_id, reason="同一路灯重复反映")
    assert (case["status"], case["merged_into_id"]) == ("cancelled", kept_id)
    return {"kept": kept, "dup": dup, "kept_id": kept_id, "dup_id": dup_id}


def outbox(portal: Portal) -> list[dict[str, Any]]:
    """The outbox as staff list it, each message as it was sent: staff see it with the tracking
    code hidden, the citizen's phone gets it whole (read from the store)."""
    portal.platform.relay.drain()
    r = portal.client.get("/api/v1/notifications?size=200", headers=portal.auth("op"))
    assert r.status_code == 200, r.text
    items: list[dict[str, Any]] = r.json()["items"]
    with portal.platform.read() as s:
        rows = s.execute(select(notifications.c.id, notifications.c.message))
        sent = {int(r.id): str(r.message) for r in rows}
    for item in items:
        assert item["message"] == without_code(sent[item["id"]]) != sent[item["id"]]
        item["message"] = sent[item["id"]]
    return items


def heard(items: list[dict[str, Any]], recipient: str) -> list[tuple[int, str]]:
    """(case id, event) of every message one masked recipient got, oldest first."""
    return [(i["case_id"], i["event_name"]) for i in reversed(items) if i["recipient"] == recipient]


def test_both_reporters_hear_the_shared_case_with_their_own_code(
    portal: Portal, merged: dict[str, Any]
) -> None:
    kept_code, dup_code = merged["kept"]["tracking_code"], merged["dup"]["tracking_code"]
    kept_id, dup_id = merged["kept_id"], merged["dup_id"]
    portal.close(kept_code)
    items = outbox(portal)

    steps = ("CaseRegistered", "CaseDispatched", "CaseSigned", "CaseHandled")
    later = [(kept_id, e) for e in steps]
    later.append((kept_id, "CaseClosed"))
    assert heard(items, "138****5678") == [(kept_id, "CaseReported"), *later]
    assert heard(items, "139****1111") == [
        (dup_id, "CaseReported"),
        (dup_id, "CaseMerged"),
        *later,
    ]
    closed = {i["recipient"]: i["message"] for i in items if i["event_name"] == "CaseClosed"}
    assert set(closed) == {"138****5678", "139****1111"}
    assert kept_code in closed["138****5678"]
    assert dup_code not in closed["138****5678"]
    assert dup_code in closed["139****1111"]
    assert kept_code not in closed["139****1111"]
    assert "合并办理" in closed["139****1111"]
    assert all(i["case_id"] == kept_id for i in items if i["event_name"] == "CaseClosed")
    r = portal.client.get("/api/v1/notifications?size=200", headers=portal.auth("op"))
    assert PHONE not in r.text
    assert OTHER_PHONE not in r.text

    # 重办 after an unsatisfied rating: the merged reporter hears it too
    rated = portal.client.post(
        f"/api/v1/portal/track/{kept_code}/rating", json={"satisfaction": "unsatisfied"}
    )
    assert rated.status_code == 200, rated.text
    assert rated.json()["reopened"] is True
    reopened = [i for i in outbox(portal) if i["event_name"] == "CaseReopened"]
    assert {i["recipient"] for i in reopened} == {"138****5678", "139****1111"}
    assert any(dup_code in i["message"] for i in reopened)

    outbox(portal)  # relaying again sends nothing twice
    assert len(outbox(portal)) == len(items) + 2


def test_the_merged_appeals_tracking_page_follows_the_shared_case(
    portal: Portal, merged: dict[str, Any]
) -> None:
    kept, dup = merged["kept"], merged["dup"]
    page = portal.track(dup["tracking_code"])
    assert page["merged_into"] == kept["case_number"]
    assert page["phase"] == "received"
    steps = [(s["step"], s["text"]) for s in page["timeline"]]
    assert steps == [("received", None), ("merged", kept["case_number"])]

    portal.act("op", merged["kept_id"], "register")
    portal.act("disp", merged["kept_id"], "dispatch")
    page = portal.track(dup["tracking_code"])
    assert (page["phase"], page["unit"]) == ("processing", "城市管理局")
    assert page["status"] == "cancelled"  # its own status: merged (合并), not handled itself
    assert page["expected_by"] is not None
    assert [s["step"] for s in page["timeline"]] == [
        "received",
        "merged",
        "registered",
        "dispatched",
    ]

    portal.close_from_dispatched(kept["tracking_code"])
    page = portal.track(dup["tracking_code"])
    assert page["phase"] == "done"
    assert [s["step"] for s in page["timeline"]][-3:] == ["handling", "result", "closed"]
    assert page["can_rate"] is False  # the rating belongs to the shared case
    assert portal.track(kept["tracking_code"])["merged_into"] is None


def test_open311_shows_the_merged_request_with_the_shared_outcome(
    portal: Portal, merged: dict[str, Any]
) -> None:
    kept, dup = merged["kept"], merged["dup"]
    number = dup["case_number"]

    def request() -> dict[str, Any]:
        r = portal.client.get(f"/open311/v2/requests/{number}.json")
        assert r.status_code == 200, r.text
        [item] = r.json()
        return dict(item)

    item = request()
    assert item["status"] == "open"
    assert item["status_notes"] == f"已合并至 {kept['case_number']} 办理：已受理"
    attrs = item["extended_attributes"]
    assert attrs["merged_into"] == kept["case_number"]
    assert attrs["case_status"] == "cancelled"
    listed = portal.client.get("/open311/v2/requests.json?status=open").json()
    assert number in {r["service_request_id"] for r in listed}

    portal.close(kept["tracking_code"])
    item = request()
    assert (item["status"], item["extended_attributes"]["detailed_status"]) == ("closed", "fixed")
    assert item["agency_responsible"] == "城市管理局"
    listed = portal.client.get("/open311/v2/requests.json?status=open").json()
    assert number not in {r["service_request_id"] for r in listed}

    r = portal.client.get("/open311/v2/servicerequestupdates.json")
    assert r.status_code == 200, r.text
    mine = [u for u in r.json() if u["service_request_id"] == number]
    steps = [
        "open",
        "duplicate",
        "investigating",
        "action_scheduled",
        "in_progress",
        "in_progress",
        "fixed",
    ]
    assert [u["extended_status"] for u in mine] == steps
    assert [u["status"] for u in mine] == steps
    shared = mine[2:]
    assert all(u["description"].startswith(f"合并办理（{kept['case_number']}）") for u in shared)
    assert len({u["update_id"] for u in mine}) == len(mine)


def test_a_chain_of_merges_keeps_the_first_reporter_informed(
    portal: Portal, merged: dict[str, Any]
) -> None:
    third = portal.submit(phone="13700002222", description="湖滨路口路灯不亮，影响夜间出行")
    third_id = portal.case_id(third["tracking_code"])
    portal.act("disp", merged["kept_id"], "merge", into_case_id=third_id, reason="同一路灯")
    portal.close(third["tracking_code"])

    page = portal.track(merged["dup"]["tracking_code"])
    assert page["merged_into"] == third["case_number"]
    assert page["phase"] == "done"
    assert [s["text"] for s in page["timeline"] if s["step"] == "merged"] == [
        merged["kept"]["case_number"],
        third["case_number"],
    ]
    closed = {
        i["recipient"]: i["message"]
        for i in outbox(portal)
        if i["event_name"] == "CaseClosed" and i["case_id"] == third_id
    }
    assert set(closed) == {"137****2222", "138****5678", "139****1111"}
    assert merged["dup"]["tracking_code"] in closed["139****1111"]
    assert merged["kept"]["tracking_code"] in closed["138****5678"]


def test_a_relay_pass_larger_than_one_write_chunk_tells_everyone_once(portal: Portal) -> None:
    from cityops.appeals.notify.service import WRITE_CHUNK
    from cityops.appeals.portal.ratelimit import PortalLimiter, RateLimits

    platform = portal.platform
    platform.portal.limiter = PortalLimiter(
        RateLimits(submits_per_minute=1000), lambda: platform.clock.now().timestamp()
    )
    codes = [
        portal.submit(phone=f"1390000{i:04d}")["tracking_code"] for i in range(WRITE_CHUNK + 5)
    ]
    items = outbox(portal)  # one relay pass: every CaseReported at once
    reported = [i for i in items if i["event_name"] == "CaseReported"]
    assert len(reported) == len(codes)
    assert len({i["recipient"] for i in reported}) == len(codes)
    assert {c for c in codes if any(c in i["message"] for i in reported)} == set(codes)
    assert outbox(portal) == items  # a second pass adds nothing


def test_merged_into_a_case_nobody_followed_yet_in_the_same_relay_pass(portal: Portal) -> None:
    """The case merged into had no recipients when the relay pass began; the merge earlier in
    the same pass gives it one, who hears its later steps of that pass too."""
    from tests.integration.appeals.portal.conftest import LAMP

    lon, lat = portal.point()
    r = portal.client.post(
        "/api/v1/cases",
        json={
            "source": "hotline",
            "title": "路灯不亮",
            "description": "湖滨路口路灯不亮（热线来电，未留号码）",
            "category_code": LAMP,
            "lon": lon,
            "lat": lat,
        },
        headers=portal.auth("op"),
    )
    assert r.status_code == 201, r.text
    staff_id = r.json()["id"]
    appeal = portal.submit()
    appeal_id = portal.case_id(appeal["tracking_code"])
    portal.act("disp", appeal_id, "merge", into_case_id=staff_id, reason="同一路灯")
    portal.act("op", staff_id, "register")
    portal.act("disp", staff_id, "dispatch")
    items = outbox(portal)  # all of it in one pass
    assert heard(items, "138****5678") == [
        (appeal_id, "CaseReported"),
        (appeal_id, "CaseMerged"),
        (staff_id, "CaseRegistered"),
        (staff_id, "CaseDispatched"),
    ]
