"""One expected time (预计办结时间) for a case wherever the citizen reads it: the portal's receipt,
the SMS and the tracking page. A stage that starts before its limit runs out moves the case's
internal close deadline earlier; what the citizen was told stays."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from tests.integration.appeals.portal.conftest import Portal

from cityops.appeals.notify.store import notifications
from cityops.cases.store import cases
from cityops.kernel.clock import SHANGHAI, FixedClock


def test_receipt_sms_and_tracking_page_give_the_same_time(
    portal: Portal, clock: FixedClock
) -> None:
    receipt = portal.submit()
    promised = datetime.fromisoformat(receipt["expected_by"])
    assert promised.utcoffset() is not None  # ISO with its offset
    cid = portal.case_id(receipt["tracking_code"])
    clock.advance(timedelta(minutes=10))  # registered well inside its hour
    portal.act("op", cid, "register")
    with portal.platform.read() as s:
        internal = s.execute(select(cases.c.close_deadline).where(cases.c.id == cid)).scalar_one()
    assert internal < promised  # the chain was projected again from the earlier start
    portal.platform.relay.drain()  # the SMS of the report is written after the register step

    tracked = portal.track(receipt["tracking_code"])
    assert datetime.fromisoformat(tracked["expected_by"]) == promised
    local = promised.astimezone(SHANGHAI)
    with portal.platform.read() as s:
        sms = s.execute(
            select(notifications.c.message).where(
                notifications.c.case_id == cid, notifications.c.event_name == "CaseReported"
            )
        ).scalar_one()
    assert f"预计{local:%m月%d日%H:%M}前办结" in sms
