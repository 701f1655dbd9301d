"""While the call is on: the caller's earlier appeals by phone (newest first, scoped), the mode
rights, and the one-round-trip assistance — knowledge-base hits, similar open cases near the
point, the caller's cases and routing suggestions (none without a model, mapped from the model's
when there is one)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from cityops.appeals.routing.public import RouteSuggestion, RoutingService
from cityops.kernel.clock import FixedClock

from .conftest import CALLER, City


class ModelStub:
    """A routing model stand-in with fixed answers, recording what it was asked."""

    available = True
    model_version = "stub-1"

    def __init__(self) -> None:
        self.asked: list[tuple[str, float | None, float | None, int]] = []

    def suggest(
        self,
        session: Session,
        text: str,
        *,
        lon: float | None = None,
        lat: float | None = None,
        crs: str = "wgs84",
        k: int = 3,
    ) -> Sequence[RouteSuggestion]:
        self.asked.append((text, lon, lat, k))
        return [
            RouteSuggestion(
                "城乡建设", 0.71, "A01", "城乡建设", "CGJ", "城市管理局", (("路灯", 1.2),)
            ),
            RouteSuggestion("交通运输", 0.2, "A07", "交通运输", None, None, ()),
        ]


def test_caller_history_is_newest_first_and_only_this_number(city: City, clock: FixedClock) -> None:
    ids = []
    for _ in range(3):
        ids.append(city.call()["case"]["id"])
        clock.advance(timedelta(minutes=5))
    city.call(phone="13700001111")
    found = city.callers(CALLER)
    assert [c["case_id"] for c in found] == ids[::-1]
    first = found[-1]
    assert (first["status"], first["category_code"], first["department_code"]) == (
        "reported",
        "E9001",
        None,
    )
    assert "tracking_code" not in first  # the caller's credential: sent by SMS, never shown
    assert city.callers("13800000000") == []
    assert city.callers("12345", expect=422) == []
    city.callers(CALLER, user="h_cgj", expect=403)


def test_caller_history_shows_the_unit_holding_the_case(city: City) -> None:
    city.call(mode="dispatch")
    assert city.callers(CALLER)[0]["department_name"] == "城市管理局"


def test_mode_rights(city: City) -> None:
    def rights(user: str) -> dict[str, bool]:
        r = city.client.get("/api/v1/hotline/modes", headers=city.auth(user))
        assert r.status_code == 200, r.text
        data: dict[str, bool] = r.json()
        return data

    assert rights("op") == {"record": True, "dispatch": False, "answer": True, "merge": False}
    assert rights("hot") == {"record": True, "dispatch": True, "answer": True, "merge": True}
    assert city.client.get("/api/v1/hotline/modes", headers=city.auth("insp")).status_code == 403


def test_assist_without_a_model_still_answers(city: City, tmp_path: Path) -> None:
    city.platform.hotline.routing = RoutingService(
        cases=city.platform.cases, taxonomy=city.platform.taxonomy, model_dir=tmp_path / "no-model"
    )
    found = city.assist(text="您好，我想问一下租房的话公积金怎么提取")
    assert found["suggestions"] == []
    assert found["model_version"] is None
    assert found["articles"][0]["code"] == "KB001"
    assert found["articles"][0]["score"] > 0
    assert found["similar"] == []  # no point given
    assert found["caller"] == []  # no phone given


def test_assist_finds_the_open_case_nearby_and_the_callers_cases(city: City) -> None:
    lamp = city.call()["case"]
    city.call(text="居民楼下的垃圾桶满了没人清理", category_code="E9002")
    far = city.call(lat=city.lat + 400 / 111_195)["case"]  # the same lamp text, 400 m north
    # 240 m east: inside the radius, near the edge of the box the candidates are read from
    east = city.call(lon=city.lon + 240 / (111_195 * math.cos(math.radians(city.lat))))["case"]
    found = city.assist(
        text="湖滨路口路灯不亮，晚上看不清", lon=city.lon, lat=city.lat, phone=f" {CALLER} "
    )
    assert found["similar"][0]["case_id"] == lamp["id"]
    assert found["similar"][0]["distance_m"] == 0.0
    near = {c["case_id"]: c["distance_m"] for c in found["similar"]}
    assert far["id"] not in near  # beyond 250 m
    assert near[east["id"]] == pytest.approx(240, abs=1)
    assert {c["case_id"] for c in found["caller"]} >= {lamp["id"]}
    half_typed = city.assist(text="路灯不亮", phone="1391234")
    assert half_typed["caller"] == []


def test_assist_passes_the_models_suggestions_through(city: City) -> None:
    stub = ModelStub()
    city.platform.hotline.routing = stub
    found = city.assist(text="路灯不亮", lon=city.lon, lat=city.lat)
    assert found["model_version"] == "stub-1"
    assert [
        (s["category_code"], s["probability"], s["department_code"]) for s in found["suggestions"]
    ] == [
        ("A01", 0.71, "CGJ"),
        ("A07", 0.2, None),
    ]
    assert found["suggestions"][0]["top_words"] == [["路灯", 1.2]]
    assert stub.asked == [("路灯不亮", city.lon, city.lat, 3)]


def test_assist_refuses_bad_requests(city: City) -> None:
    assert city.assist(text="   ", expect=422)["error"]["code"] == "text_required"
    assert city.assist(text="x", lon=500, expect=422)["error"]["code"] == "invalid_request"
    assert (
        city.assist(user="h_cgj", text="路灯", expect=403)["error"]["code"] == "cannot_use_hotline"
    )


def test_caller_history_carries_where_each_case_was(city: City) -> None:
    """The console's map starts at the caller's last place (street level), not the whole city."""
    city.call()
    [found] = city.callers(CALLER)
    assert found["lon"] == pytest.approx(city.lon, abs=1e-6)
    assert found["lat"] == pytest.approx(city.lat, abs=1e-6)
