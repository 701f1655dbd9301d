"""Hot issues (热点诉求) through HTTP over appeals stored by the case engine: the same matter
raised by several callers is one issue, ranked by heat; texts come masked; inspectors' own
reports are not appeals; scoped and unauthorised readers get what their scope allows."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from tests.support.case_city import City, build_city

from cityops.app import Platform
from cityops.web.app import create_app

NOISE = [
    ("工地夜间施工噪音扰民", "滨江花园旁的工地每天夜里十二点后还在施工，噪音很大，无法入睡"),
    ("夜间施工噪音太大", "滨江花园附近工地深夜施工，电钻声音扰民，请管一管"),
    ("工地半夜施工扰民", "滨江花园小区对面工地凌晨还在打桩，噪音严重影响休息，电话13912345678"),
]
OTHER = [
    ("路灯不亮", "湖滨路口的路灯已经坏了一周，晚上很黑"),
    ("井盖缺失", "文三路上一个井盖不见了，很危险"),
]


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        yield build_city(platform, client)


def test_the_same_matter_from_several_callers_is_one_hot_issue(city: City) -> None:
    for i, (title, text) in enumerate(NOISE):
        city.create(title=title, description=text, reporter_phone=f"1381234567{i}")
    for title, text in OTHER:
        city.create(title=title, description=text)
    city.create("insp", source="inspector", title=NOISE[0][0], description=NOISE[0][1])
    answer = city.client.get("/api/v1/insight/hot-issues", headers=city.auth("boss"))
    assert answer.status_code == 200, answer.text
    page = answer.json()
    assert page["appeals"] == 5  # the inspector's own report is no citizen's appeal
    top = page["issues"][0]
    assert top["count"] == 3
    assert top["callers"] == 3
    assert "滨江花园" in (top["place"] or "") + top["title"] + "".join(top["keywords"])
    assert len(top["case_ids"]) == 3
    texts = [r["title"] for r in top["representatives"]]
    assert all("13912345678" not in t for t in texts)
    assert all(len(issue["case_ids"]) >= 2 for issue in page["issues"])  # min_count 2


def test_who_may_read_hot_issues(city: City) -> None:
    city.create(title=NOISE[0][0], description=NOISE[0][1])
    for user, status in (("op", 200), ("disp", 200), ("h_cgj", 403), ("insp", 403)):
        got = city.client.get("/api/v1/insight/hot-issues", headers=city.auth(user))
        assert got.status_code == status, (user, got.text)
    refused = city.client.get("/api/v1/insight/hot-issues?days=0", headers=city.auth("boss"))
    assert refused.status_code == 422
