"""Personal data written into free text never reaches the public tracking page unmasked: the
citizen's description and address, a handler's finish note, the rating comment. Staff, signed in
and in scope, still read the raw text."""

from __future__ import annotations

from tests.integration.appeals.portal.conftest import Portal

RAW = ["13912345678", "13900000000", "0571-87654321", "zhangsan@example.com", "张三丰", "王师傅"]


def test_the_tracking_page_masks_phones_names_and_mail(portal: Portal) -> None:
    receipt = portal.submit(
        description="路灯不亮好几天了，我叫张三丰，电话13912345678，邮箱zhangsan@example.com",
        address="湖滨路1号，有事打0571-87654321",
    )
    code = receipt["tracking_code"]
    cid = portal.case_id(code)
    portal.act("op", cid, "register")
    portal.act("disp", cid, "dispatch")
    portal.act("h_cgj", cid, "sign")
    portal.act("h_cgj", cid, "finish", note="已修好，联系人王师傅13900000000")
    portal.act("disp", cid, "verify", passed=True)
    r = portal.client.post(
        f"/api/v1/portal/track/{code}/rating",
        json={"satisfaction": "satisfied", "comment": "谢谢！有问题再打我13912345678"},
    )
    assert r.status_code == 200, r.text

    page = portal.client.get(f"/api/v1/portal/track/{code}")
    assert page.status_code == 200
    for raw in RAW:
        assert raw not in page.text
    tracked = page.json()
    assert tracked["description"] == (
        "路灯不亮好几天了，我叫张**，电话139****5678，邮箱z***@example.com"
    )
    assert tracked["address"] == "湖滨路1号，有事打0571-****4321"
    [result] = [s for s in tracked["timeline"] if s["step"] == "result"]
    assert result["text"] == "已修好，联系人王**139****0000"
    assert tracked["rating_comment"] == "谢谢！有问题再打我139****5678"

    # staff read the text masked as the public does, and as written only with the audited reveal
    staff = portal.client.get(f"/api/v1/cases/{cid}", headers=portal.auth("op")).json()
    assert "13912345678" not in staff["description"]
    revealed = portal.client.get(
        f"/api/v1/cases/{cid}", params={"reveal": "contact"}, headers=portal.auth("op")
    ).json()
    assert "13912345678" in revealed["description"]
    assert "张三丰" in revealed["description"]
