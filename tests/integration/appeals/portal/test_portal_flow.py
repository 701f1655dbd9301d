"""The portal through HTTP: submit with photos, track, staff close it, the citizen rates it;
personal data never leaves in a public answer; the outbox records each step."""

from __future__ import annotations

import io

import pytest
from PIL import Image
from sqlalchemy import select
from tests.integration.appeals.portal.conftest import LAMP, PHONE, Portal, jpeg, png

from cityops.appeals.notify.store import notifications
from cityops.infra.outbox import outbox
from cityops.kernel.events import event_from_payload

PUBLIC_STEPS = ["received", "registered", "dispatched", "handling", "result", "closed"]


def _no_personal_data(text: str) -> None:
    assert PHONE not in text
    assert PHONE[-4:] not in text  # not even masked
    assert "王五" not in text  # staff names
    assert "h_cgj" not in text
    assert '"disp"' not in text


def test_submit_track_close_and_rate(portal: Portal) -> None:
    receipt = portal.submit(
        files=[("lamp.jpg", jpeg(exif_gps=True), "image/jpeg"), ("night.png", png(), "image/png")]
    )
    code = receipt["tracking_code"]
    assert receipt["category_code"] == LAMP
    assert receipt["category_by"] == "citizen"
    assert receipt["expected_by"] is not None
    assert len(receipt["photos"]) == 2
    assert len(portal.files()) == 2

    photo = portal.client.get(receipt["photos"][0])
    assert photo.status_code == 200
    assert photo.headers["content-type"] == "image/jpeg"
    assert photo.headers["x-content-type-options"] == "nosniff"
    assert b"SecretPhoneMaker" not in photo.content  # metadata stripped
    assert Image.open(io.BytesIO(photo.content)).size == (64, 48)

    tracked = portal.track(code)
    assert [s["step"] for s in tracked["timeline"]] == ["received"]
    assert tracked["phase"] == "received"
    assert tracked["can_rate"] is False

    portal.close(code)
    tracked = portal.track(code)
    steps = [s["step"] for s in tracked["timeline"]]
    assert steps == PUBLIC_STEPS
    dispatched = tracked["timeline"][2]
    assert dispatched["unit"] == "城市管理局"
    assert tracked["timeline"][4]["text"] == "已更换灯泡，恢复照明"
    assert tracked["phase"] == "done"
    assert tracked["can_rate"] is True
    assert tracked["expected_by"] is None
    _no_personal_data(portal.client.get(f"/api/v1/portal/track/{code}").text)

    r = portal.client.post(
        f"/api/v1/portal/track/{code}/rating",
        json={"satisfaction": "satisfied", "comment": "很快就修好了"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["reopened"] is False
    assert r.json()["case"]["satisfaction"] == "satisfied"
    assert r.json()["case"]["can_rate"] is False

    again = portal.client.post(
        f"/api/v1/portal/track/{code}/rating", json={"satisfaction": "unsatisfied"}
    )
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_rated"

    history = portal.client.get(
        f"/api/v1/cases/{portal.case_id(code)}/history", headers=portal.auth("op")
    ).json()
    evaluate = [h for h in history if h["action"] == "evaluate"][-1]
    assert "市民通过门户评价：满意" in evaluate["note"]
    assert "很快就修好了" in evaluate["note"]


def test_unsatisfied_reopens_for_rework_then_rates_again(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    early = portal.client.post(
        f"/api/v1/portal/track/{code}/rating", json={"satisfaction": "satisfied"}
    )
    assert early.status_code == 409
    assert early.json()["error"]["code"] == "not_closed_yet"
    portal.close(code)
    r = portal.client.post(
        f"/api/v1/portal/track/{code}/rating",
        json={"satisfaction": "unsatisfied", "comment": "还是不亮"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["reopened"] is True
    assert r.json()["case"]["status"] == "in_progress"
    assert r.json()["case"]["timeline"][-1]["step"] == "reopened"
    cid = portal.case_id(code)
    portal.act("h_cgj", cid, "finish", note="更换了整套灯具")
    portal.act("disp", cid, "verify", passed=True)
    second = portal.client.post(
        f"/api/v1/portal/track/{code}/rating", json={"satisfaction": "basically_satisfied"}
    )
    assert second.status_code == 200, second.text
    assert second.json()["case"]["satisfaction"] == "basically_satisfied"


def test_let_the_system_decide_uses_the_general_category(portal: Portal) -> None:
    receipt = portal.submit(category_code="", appeal_type="consultation")
    assert receipt["category_code"] == "A13"
    assert receipt["category_by"] == "system"


def test_script_is_kept_as_text(portal: Portal) -> None:
    script = "<script>alert(1)</script> 路灯坏了"
    code = portal.submit(description=script)["tracking_code"]
    assert portal.track(code)["description"] == script


def test_notifications_outbox_records_each_step_masked(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    anonymous = portal.submit(anonymous="true", phone=None)["tracking_code"]
    portal.close(code)
    portal.platform.relay.drain()
    r = portal.client.get("/api/v1/notifications", headers=portal.auth("op"))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    cid = portal.case_id(code)
    assert {i["case_id"] for i in items} == {cid}  # nothing for the anonymous appeal
    assert portal.case_id(anonymous) != cid
    names = {i["event_name"] for i in items}
    assert {
        "CaseReported",
        "CaseRegistered",
        "CaseDispatched",
        "CaseHandled",
        "CaseClosed",
    } <= names
    assert all(i["recipient"] == "138****5678" and i["status"] == "recorded" for i in items)
    assert all(i["message"].endswith("查询码：****") for i in items)  # staff never see the code
    assert code not in r.text
    with portal.platform.read() as s:  # the citizen's phone gets it
        sent = s.scalars(select(notifications.c.message).where(notifications.c.case_id == cid))
        assert all(m.endswith(f"查询码：{code}") for m in sent)
    assert PHONE not in r.text
    portal.platform.relay.drain()  # delivering again records nothing twice
    assert portal.client.get("/api/v1/notifications", headers=portal.auth("op")).json()[
        "total"
    ] == len(items)


def test_each_message_names_the_unit_of_its_own_step(portal: Portal) -> None:
    """Dispatched to 城市管理局, sent back, dispatched to the street office, all before the relay
    runs: the first message still names the first unit."""
    code = portal.submit()["tracking_code"]
    cid = portal.case_id(code)
    portal.act("op", cid, "register")
    portal.act("disp", cid, "dispatch", department_code="CGJ")
    portal.act("h_cgj", cid, "return", reason="不属于本单位职责")
    portal.act("disp", cid, "dispatch", department_code="ST_HUBIN")
    portal.platform.relay.drain()
    with portal.platform.read() as s:
        words = s.execute(
            select(notifications.c.message)
            .where(notifications.c.event_name == "CaseDispatched")
            .order_by(notifications.c.id)
        ).scalars()
        units = [w.split("已派给")[1].split("办理")[0] for w in words]
    assert units == ["城市管理局", "湖滨街道办事处"]


def test_a_repeated_relay_pass_records_no_message_twice(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    portal.close(code)
    portal.platform.relay.drain()
    recorded = portal.counts()[3]
    assert recorded >= 5
    with portal.platform.read() as s:
        rows = s.execute(select(outbox.c.name, outbox.c.payload).order_by(outbox.c.id)).all()
    events = [event_from_payload(r.name, dict(r.payload)) for r in rows]
    # the relay died after the handlers ran but before it marked the events done
    portal.platform.notify.on_events(events)
    assert portal.counts()[3] == recorded


@pytest.mark.parametrize(("user", "status"), [(None, 401), ("h_cgj", 403)])
def test_outbox_is_for_operators(portal: Portal, user: str | None, status: int) -> None:
    headers = portal.auth(user) if user else {}
    assert portal.client.get("/api/v1/notifications", headers=headers).status_code == status


def test_board_counts_without_personal_data(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    portal.submit(category_code="E9002")
    portal.close(code)
    portal.client.post(f"/api/v1/portal/track/{code}/rating", json={"satisfaction": "satisfied"})
    portal.platform.relay.drain()  # the 回访 is recorded after commit
    r = portal.client.get("/api/v1/portal/board")
    assert r.status_code == 200, r.text
    board = r.json()
    assert board["month"] == "2026-11"
    assert board["reported"] == 2
    assert board["closed"] == 1
    assert board["satisfaction_rate"] == 1.0
    cgj = next(d for d in board["by_department"] if d["code"] == "CGJ")
    assert cgj["reported"] == 1
    assert cgj["closed"] == 1
    assert cgj["satisfaction_rate"] == 1.0
    assert cgj["on_time_rate"] == 1.0
    street = next(s for s in board["by_street"] if s["code"] == "330191001")
    assert street["reported"] == 2
    _no_personal_data(r.text)


def test_a_code_typed_loosely_still_finds_the_appeal(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    typed = code.replace("-", " ").lower().replace("0", "o").replace("1", "l")
    assert typed != code
    tracked = portal.track(typed)
    assert tracked["tracking_code"] == code


def test_tracking_an_unknown_code_is_404(portal: Portal) -> None:
    for code in ["nope-nope-nope", "../../etc", "x"]:
        r = portal.client.get(f"/api/v1/portal/track/{code}")
        assert r.status_code == 404


def test_pages_render(portal: Portal) -> None:
    for path in ["/portal", "/portal/track", "/portal/track/abcdefgh", "/portal/board"]:
        r = portal.client.get(path)
        assert r.status_code == 200, path
        assert "/static/css/portal.css" in r.text
    assert portal.client.get("/media/2026/11/../../x.jpg").status_code == 404
    assert portal.client.get("/media/2026/11/nothere0000000000000.jpg").status_code == 404
