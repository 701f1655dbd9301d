"""The case as the API gives it: CasePublic read from the engine's CaseView by attribute, nested
parts included, with the JSON the contract has always had."""

from __future__ import annotations

from datetime import UTC, datetime

from cityops.cases.public import (
    AreaInfo,
    CaseAction,
    CaseArea,
    CaseSource,
    CaseStatus,
    CaseView,
    DepartmentInfo,
    SlaState,
    Stage,
)
from cityops.web.api.cases import CasePublic
from cityops.worktime.public import LimitUnit, TimeLimit

AT = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def _view() -> CaseView:
    return CaseView(
        id=42,
        number="C20261123000042",
        tracking_code="T42",
        source=CaseSource.hotline,
        title="路灯不亮",
        description="整条路的路灯不亮",
        category_code="C0101",
        category_name="路灯",
        kind="event",
        urgency="normal",
        status=CaseStatus.dispatched,
        version=3,
        lon=120.1,
        lat=30.2,
        address="文三路 1 号",
        area=CaseArea(
            district=AreaInfo("330106", "西湖区"), street=AreaInfo("330106001", "北山街道")
        ),
        area_code="330106001",
        department=DepartmentInfo(5, "CGJ", "城管局"),
        suggested_department=None,
        reporter_name="张三",
        reporter_phone="138****5678",
        reported_at=AT,
        stage=Stage.handle,
        stage_started_at=AT,
        stage_deadline=AT,
        deadlines={Stage.register: AT, Stage.handle: AT},
        sla_state=SlaState.green,
        overdue=False,
        supervised=True,
        allowed_actions=(CaseAction.sign, CaseAction.cancel),
        created_by="op",
        created_by_user_id=1,
        pending_extension=TimeLimit(2, LimitUnit.working_days),
        return_count=1,
        dispatched_at=AT,
        contact_revealed=False,
    )


def test_the_case_is_read_from_the_view_with_its_parts() -> None:
    out = CasePublic.of(_view()).model_dump(mode="json")
    at = "2026-11-23T02:00:00Z"
    assert out["area"] == {
        "district": {"code": "330106", "name": "西湖区"},
        "street": {"code": "330106001", "name": "北山街道"},
        "community": None,
        "grid": None,
    }
    assert out["department"] == {"id": 5, "code": "CGJ", "name": "城管局"}
    assert out["suggested_department"] is None
    assert out["deadlines"] == {"register": at, "handle": at}
    assert out["allowed_actions"] == ["sign", "cancel"]
    assert out["pending_extension"] == {"amount": 2.0, "unit": "working_days"}
    assert (out["status"], out["stage"], out["sla_state"]) == ("dispatched", "handle", "green")
    assert (out["created_by"], out["return_count"], out["dispatched_at"]) == ("op", 1, at)


def test_only_the_public_fields_are_given() -> None:
    out = CasePublic.of(_view()).model_dump(mode="json")
    assert list(out) == list(CasePublic.model_fields)
    assert "created_by_user_id" not in out
    assert "contact_revealed" not in out
