"""A city for routing at intake: the shared case-test city (tests/support/case_city.py) plus the
appeal groups the model's seven labels map to, each with its unit, and a small routing model
trained once per session on a sample of the real labelled appeals (../shared/data/tipdm2020_c)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from case_city import GRID, PASSWORD, STREET, WORKING, build_city
from case_city import City as CaseCity
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.appeals.routing.dataset import read_labelled
from cityops.appeals.routing.model import RoutingModel
from cityops.appeals.routing.store import ModelStore
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.org.public import DepartmentKind, NewDepartment, NewUser
from cityops.taxonomy.model import Category, CategoryKind, ResponsibleKind, Urgency
from cityops.taxonomy.public import default_keywords

__all__ = ["GRID", "STREET", "RoutingCity"]

SAMPLE = 600  # messages spread through the raw file: trains in a few seconds
# group code, name, responsible unit (None: the street office of the place)
GROUPS: list[tuple[str, str, str | None]] = [
    ("A01", "城乡建设", None),
    ("A02", "劳动和社会保障", "RSJ"),
    ("A03", "教育文体", "JYJ"),
    ("A0302", "校外培训", "JYJ"),  # a leaf the school appeal's words name (补课)
    ("A0305", "文化市场", "WLJ"),  # a finer category with its own unit
    ("A04", "商贸旅游", "SJJ"),
    ("A05", "环境保护", "HBJ"),
    ("A06", "卫生健康", "WJW"),
    ("A07", "交通运输", "JTJ"),
    ("A13", "咨询建议", "CGJ"),  # the portal's fallback
]
DEPARTMENTS = {
    "RSJ": "人力资源和社会保障局",
    "JYJ": "教育局",
    "WLJ": "文化广电旅游体育局",
    "SJJ": "市场监督管理局",
    "HBJ": "生态环境局",
    "WJW": "卫生健康委员会",
    "JTJ": "交通运输局",
}
USERS: dict[str, dict[str, Any]] = {
    "adm": {"roles": ["admin"]},
    "h_jyj": {"roles": ["handler"], "department_code": "JYJ"},
}


@pytest.fixture(scope="session")
def trained_store(shared_data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A model store holding one small model (trained once per test session)."""
    data = shared_data / "tipdm2020_c" / "appeals_labeled_raw_2537.csv"
    dataset = read_labelled(data, "text", "一级标签", sample=SAMPLE)
    model = RoutingModel.train(dataset.docs, dataset.labels)
    root = tmp_path_factory.mktemp("router")
    ModelStore(root).save(
        model, data_hash=dataset.fingerprint(), trained_at=datetime(2026, 11, 1, tzinfo=UTC)
    )
    return root


@pytest.fixture
def model_dir(trained_store: Path) -> Path | None:
    """The routing model the platform loads; tests parametrize it to None for "no model"."""
    return trained_store


@pytest.fixture
def settings(db_url: str, model_dir: Path | None, tmp_path: Path) -> Settings:
    return Settings(
        env="test", database_url=db_url, router_model_dir=model_dir or tmp_path / "no-model"
    )


@dataclass
class RoutingCity(CaseCity):
    def point(self) -> tuple[float, float]:
        return self.point_in(GRID)

    def submit(self, description: str, category_code: str = "auto") -> dict[str, Any]:
        """A citizen's appeal through the portal, placed in GRID."""
        lon, lat = self.point()
        r = self.client.post(
            "/api/v1/portal/appeals",
            data={
                "appeal_type": "complaint",
                "description": description,
                "category_code": category_code,
                "lon": str(lon),
                "lat": str(lat),
                "phone": "13812345678",
            },
        )
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def case_by_number(self, number: str, user: str = "disp") -> dict[str, Any]:
        r = self.client.get("/api/v1/cases", params={"q": number}, headers=self.auth(user))
        assert r.status_code == 200, r.text
        items = [c for c in r.json()["items"] if c["number"] == number]
        assert len(items) == 1, r.text
        return self.get(user, items[0]["id"])

    def routing(self, case_id: int, user: str = "disp", expect: int = 200) -> dict[str, Any]:
        r = self.client.get(f"/api/v1/cases/{case_id}/routing", headers=self.auth(user))
        assert r.status_code == expect, r.text
        body: dict[str, Any] = r.json()
        return body

    def drain(self) -> None:
        self.platform.relay.drain()


def _category(code: str, name: str, department: str | None) -> Category:
    return Category(
        code=code,
        name=name,
        parent_code=code[:-2] if len(code) > 3 else None,
        level=(len(code) - 1) // 2,
        kind=CategoryKind.appeal,
        filing_condition="诉求明确",
        urgency=Urgency.normal,
        responsible_kind=(
            ResponsibleKind.department if department else ResponsibleKind.street_office
        ),
        department_code=department,
        limits=WORKING,
        # the keywords the shipped list seeds its categories with (校外培训: 补课, …)
        keywords=default_keywords().get(code, ()),
    )


@pytest.fixture
def city(platform: Platform, client: TestClient, tmp_path: Path) -> RoutingCity:
    platform.portal.photos.root = tmp_path / "uploads"
    base = build_city(platform, client)
    with platform.uow() as uow:
        for code, name in DEPARTMENTS.items():
            platform.org.create_department(
                uow,
                SYSTEM,
                NewDepartment(code=code, name=name, kind=DepartmentKind.city_department),
            )
        for username, spec in USERS.items():
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, display_name=username, **spec),
            )
    with platform.uow() as uow:
        for code, name, department in GROUPS:
            platform.taxonomy.upsert_category(uow, SYSTEM, _category(code, name, department))
    return RoutingCity(platform=base.platform, client=base.client)
