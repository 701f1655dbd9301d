"""A small city for portal tests: the demo city (geo), two departments, staff of each role and
three categories (the general appeal category A13, a lamp routed to CGJ, litter for the street
office). Photos go to the test's own folder."""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import shapely.geometry
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import func, select

from cityops.app import Platform
from cityops.appeals.notify.store import notifications
from cityops.appeals.portal.store import appeal_photos, portal_appeals
from cityops.cases.store import cases
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.worktime.limits import LimitUnit, Stage, TimeLimit

STREET = "330191001"
GRID = "330191001001001"
LAMP = "E9001"
LIMITS = {
    Stage.register: TimeLimit(1, LimitUnit.working_hours),
    Stage.dispatch: TimeLimit(1, LimitUnit.working_hours),
    Stage.handle: TimeLimit(2, LimitUnit.working_days),
    Stage.verify: TimeLimit(4, LimitUnit.working_hours),
    Stage.close: TimeLimit(3, LimitUnit.working_days),
}
PASSWORD = "correct horse battery"
PHONE = "13812345678"
USERS: dict[str, dict[str, Any]] = {
    "op": {"roles": ["operator"]},
    "disp": {"roles": ["dispatcher"]},
    "h_cgj": {"roles": ["handler"], "department_code": "CGJ"},
}


def _category(code: str, name: str, **kw: Any) -> Category:
    base: dict[str, Any] = {
        "code": code,
        "name": name,
        "parent_code": code[:-2] if len(code) > 3 else None,
        "level": (len(code) - 1) // 2,
        "kind": CategoryKind.event,
        "filing_condition": "内容明确",
        "urgency": Urgency.normal,
        "responsible_kind": ResponsibleKind.street_office,
        "department_code": None,
        "limits": LIMITS,
    }
    base.update(kw)
    return Category(**base)


def jpeg(size: tuple[int, int] = (64, 48), exif_gps: bool = False) -> bytes:
    img = Image.new("RGB", size, (200, 60, 40))
    out = io.BytesIO()
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "SecretPhoneMaker"  # Make
        img.save(out, format="JPEG", exif=exif.tobytes())
    else:
        img.save(out, format="JPEG")
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (20, 20), (0, 128, 255, 200)).save(out, format="PNG")
    return out.getvalue()


@dataclass
class Portal:
    platform: Platform
    client: TestClient
    uploads: Path

    def auth(self, username: str) -> dict[str, str]:
        with self.platform.read() as s:
            token = self.platform.org.access_token_for_user(s, username).access_token
        return {"Authorization": f"Bearer {token}"}

    def point(self, area_code: str = GRID) -> tuple[float, float]:
        with self.platform.read() as s:
            feature = self.platform.geo.get_feature(s, area_code)
        p = shapely.geometry.shape(feature.geometry).representative_point()
        return p.x, p.y

    def submit(
        self, expect: int = 201, files: list[tuple[str, bytes, str]] | None = None, **fields: Any
    ) -> dict[str, Any]:
        lon, lat = self.point()
        data: dict[str, Any] = {
            "appeal_type": "complaint",
            "description": "湖滨路口的路灯晚上不亮，已经三天了",
            "category_code": LAMP,
            "lon": str(lon),
            "lat": str(lat),
            "address": "湖滨路 1 号",
            "phone": PHONE,
        }
        data.update({k: v for k, v in fields.items() if v is not None})
        for k in [k for k, v in fields.items() if v is None]:
            data.pop(k, None)
        upload = [("photos", (name, body, ctype)) for name, body, ctype in (files or [])]
        r = self.client.post("/api/v1/portal/appeals", data=data, files=upload or None)
        assert r.status_code == expect, r.text
        body: dict[str, Any] = r.json()
        return body

    def track(self, code: str, expect: int = 200) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/portal/track/{code}")
        assert r.status_code == expect, r.text
        body: dict[str, Any] = r.json()
        return body

    def case_id(self, code: str) -> int:
        with self.platform.read() as s:
            return int(
                s.execute(select(cases.c.id).where(cases.c.tracking_code == code)).scalar_one()
            )

    def act(self, user: str, case_id: int, action: str, **fields: Any) -> dict[str, Any]:
        case = self.client.get(f"/api/v1/cases/{case_id}", headers=self.auth(user)).json()
        r = self.client.post(
            f"/api/v1/cases/{case_id}/actions/{action}",
            json={"version": case["version"], **fields},
            headers=self.auth(user),
        )
        assert r.status_code == 200, r.text
        data: dict[str, Any] = r.json()
        return data

    def close(self, code: str) -> None:
        """Staff take the case from reported to closed through the API."""
        cid = self.case_id(code)
        self.act("op", cid, "register")
        self.act("disp", cid, "dispatch")
        self.close_from_dispatched(code)

    def close_from_dispatched(self, code: str) -> None:
        """The department signs and finishes a dispatched case; the dispatcher verifies it."""
        cid = self.case_id(code)
        self.act("h_cgj", cid, "sign")
        self.act("h_cgj", cid, "finish", note="已更换灯泡，恢复照明")
        self.act("disp", cid, "verify", passed=True)

    def counts(self) -> tuple[int, int, int, int]:
        with self.platform.read() as s:
            return (
                s.execute(select(func.count()).select_from(cases)).scalar_one(),
                s.execute(select(func.count()).select_from(portal_appeals)).scalar_one(),
                s.execute(select(func.count()).select_from(appeal_photos)).scalar_one(),
                s.execute(select(func.count()).select_from(notifications)).scalar_one(),
            )

    def files(self) -> list[Path]:
        return sorted(p for p in self.uploads.rglob("*") if p.is_file())


@pytest.fixture
def portal(platform: Platform, client: TestClient, tmp_path: Path) -> Portal:
    uploads = tmp_path / "uploads"
    platform.portal.photos.root = uploads
    with platform.uow() as uow:
        platform.geo.generate_demo_city(uow, SYSTEM)
    with platform.uow() as uow:
        for code, name, kind, area in [
            ("CGJ", "城市管理局", DepartmentKind.city_department, None),
            ("ST_HUBIN", "湖滨街道办事处", DepartmentKind.street_office, STREET),
        ]:
            platform.org.create_department(
                uow, SYSTEM, NewDepartment(code=code, name=name, kind=kind, area_code=area)
            )
        for username, spec in USERS.items():
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, display_name="王五", **spec),
            )
    with platform.uow() as uow:
        for category in [
            _category(
                "A13",
                "咨询建议",
                department_code="CGJ",
                kind=CategoryKind.appeal,
                responsible_kind=ResponsibleKind.department,
            ),
            _category("E90", "测试事件"),
            _category(
                LAMP, "路灯不亮", responsible_kind=ResponsibleKind.department, department_code="CGJ"
            ),
            _category("E9002", "暴露垃圾"),
        ]:
            platform.taxonomy.upsert_category(uow, SYSTEM, category)
    return Portal(platform=platform, client=client, uploads=uploads)
