"""Control characters from the portal (kernel/text.py): an appeal's text and a rating's comment
are stored clean, and the dispatcher's Excel export opens afterwards."""

from __future__ import annotations

import io

from openpyxl import load_workbook
from sqlalchemy import select
from tests.integration.appeals.portal.conftest import Portal

from cityops.appeals.portal.store import portal_ratings
from cityops.cases.store import cases
from cityops.kernel.text import clean_text


def test_an_anonymous_appeal_with_control_characters_is_stored_clean(portal: Portal) -> None:
    receipt = portal.submit(
        description="路灯\x01\x02不亮\r\n已经三天\u202e了",
        address="湖滨路\x01 1 号",
        anonymous="true",
        phone=None,
    )
    with portal.platform.read() as s:
        title, description, address = s.execute(
            select(cases.c.title, cases.c.description, cases.c.address).where(
                cases.c.tracking_code == receipt["tracking_code"]
            )
        ).one()
    assert description == "路灯不亮\n已经三天了"
    assert clean_text(title) == title
    assert address == "湖滨路 1 号"

    r = portal.client.get(
        "/api/v1/cases/export", params={"format": "xlsx"}, headers=portal.auth("disp")
    )
    assert r.status_code == 200, r.text
    sheet = load_workbook(io.BytesIO(r.content))["cases"]
    head, row = (list(v) for v in sheet.iter_rows(values_only=True))
    assert dict(zip(head, row, strict=True))["地址"] == "湖滨路 1 号"


def test_a_rating_comment_is_stored_clean(portal: Portal) -> None:
    code = portal.submit()["tracking_code"]
    portal.close(code)
    r = portal.client.post(
        f"/api/v1/portal/track/{code}/rating",
        json={"satisfaction": "satisfied", "comment": "修得\x00很快\x07\u202e"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["case"]["rating_comment"] == "修得很快"
    with portal.platform.read() as s:
        assert s.execute(select(portal_ratings.c.comment)).scalar_one() == "修得很快"
    history = portal.client.get(
        f"/api/v1/cases/{portal.case_id(code)}/history", headers=portal.auth("op")
    ).json()
    assert history[-1]["note"].endswith("；修得很快")
