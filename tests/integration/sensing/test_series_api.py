"""The time-series API through HTTP on SQLite and PostgreSQL: a device's series raw, from the
rollups under each aggregate and downsampled; latest values per device, type and area; health
per group; clear 422s for a bad metric, interval or range."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from tests.support.role_header import acting_by_role_header

from cityops.app import Platform
from cityops.sensing.public import PointRow
from cityops.web.api.sensing import LatestPublic

from .conftest import register
from .storage_support import now_ms, write

OPERATOR = {"X-Test-Role": "operator"}
MIN = 60_000


@pytest.fixture
def city(sensing_platform: Platform) -> Iterator[tuple[Platform, TestClient]]:
    p = sensing_platform
    live = register(p, "MH-LIVE", "manhole_level").device
    quiet = register(p, "MH-QUIET", "manhole_level").device
    air = register(p, "AQ-API").device
    p.clock.advance(timedelta(hours=2))
    now = now_ms(p)
    start = now - 60 * MIN  # one reading a minute for the last hour, of every metric
    points = [
        PointRow(live.id, metric, start + i * MIN + 500, float(i % 17) + offset)
        for i in range(60)
        for metric, offset in (("level", 100.0), ("tilt", 0.0), ("battery", 50.0))
    ]
    points += [PointRow(quiet.id, "level", now - 100 * MIN, 1.0)]  # silent for 100 minutes
    points += [PointRow(air.id, "pm25", now - i * 7 * MIN, 30.0 + i) for i in range(10)]
    write(p, points)
    p.sensing.rollup.roll(now - 3 * 3_600_000, now)
    p.sensing.rollup.run()
    with acting_by_role_header(p) as client:
        yield p, client


def _iso(ms: int) -> str:
    return datetime.fromtimestamp(ms / 1000, tz=UTC).isoformat()


def test_raw_and_aggregated_series(city: tuple[Platform, TestClient]) -> None:
    p, http = city
    now = now_ms(p)
    raw = http.get(
        "/api/v1/sensing/devices/MH-LIVE/series",
        params={"metric": "level", "from": _iso(now - 2 * 3_600_000), "to": _iso(now)},
        headers=OPERATOR,
    )
    assert raw.status_code == 200, raw.text
    body = raw.json()
    assert (body["interval"], body["agg"], body["downsampled_from"]) == ("raw", "raw", None)
    assert len(body["points"]) == 60
    assert [v for _, v in body["points"][:3]] == [100.0, 101.0, 102.0]

    hourly = {}
    for agg in ("avg", "min", "max", "sum", "count", "last"):
        answer = http.get(
            "/api/v1/sensing/devices/MH-LIVE/series",
            params={
                "metric": "level",
                "interval": "1h",
                "agg": agg,
                "from": _iso(now - 5 * 3_600_000),
            },
            headers=OPERATOR,
        )
        assert answer.status_code == 200, answer.text
        hourly[agg] = answer.json()["points"]
    values = [v for _, v in body["points"]]
    counts = [v for _, v in hourly["count"]]
    assert sum(counts) == 60
    assert sum(v for _, v in hourly["sum"]) == pytest.approx(sum(values))
    assert min(v for _, v in hourly["min"]) == min(values)
    assert max(v for _, v in hourly["max"]) == max(values)
    assert hourly["last"][-1][1] == values[-1]
    for (_, avg), (_, total), (_, n) in zip(
        hourly["avg"], hourly["sum"], hourly["count"], strict=True
    ):
        assert avg == pytest.approx(total / n)

    minutes = http.get(
        "/api/v1/sensing/devices/MH-LIVE/series",
        params={"metric": "level", "interval": "1m", "agg": "max", "points": 20},
        headers=OPERATOR,
    ).json()
    assert minutes["downsampled_from"] == 60
    assert len(minutes["points"]) == 20
    assert minutes["points"][0][1] == 100.0


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"metric": "pm25"}, "unknown_series_metric"),
        ({"metric": "level", "interval": "5m"}, "bad_series_interval"),
        ({"metric": "level", "agg": "median"}, "bad_series_interval"),
        (
            {"metric": "level", "from": "2026-11-23T10:00:00Z", "to": "2026-11-23T09:00:00Z"},
            "bad_time_range",
        ),
        (
            {"metric": "level", "from": "2026-01-01T00:00:00Z", "to": "2026-11-23T00:00:00Z"},
            "bad_time_range",
        ),
        ({"metric": "level", "from": "2026-11-23T09:00:00"}, "bad_time_range"),
    ],
)
def test_a_bad_series_query_is_a_clear_422(
    city: tuple[Platform, TestClient], params: dict[str, str], code: str
) -> None:
    _, http = city
    answer = http.get("/api/v1/sensing/devices/MH-LIVE/series", params=params, headers=OPERATOR)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["code"] == code


def test_an_unknown_device_is_404(city: tuple[Platform, TestClient]) -> None:
    _, http = city
    answer = http.get(
        "/api/v1/sensing/devices/NOPE/series", params={"metric": "x"}, headers=OPERATOR
    )
    assert answer.status_code == 404


def test_latest_values_per_device_type_and_area(city: tuple[Platform, TestClient]) -> None:
    _, http = city
    one = http.get("/api/v1/sensing/latest", params={"device": "MH-LIVE"}, headers=OPERATOR).json()
    assert {v["metric"]: v["value"] for v in one["devices"][0]["values"]} == {
        "battery": 50.0 + 59 % 17,
        "level": 100.0 + 59 % 17,
        "tilt": 0.0 + 59 % 17,
    }
    kind = http.get("/api/v1/sensing/latest", params={"type": "manhole_level"}, headers=OPERATOR)
    assert kind.status_code == 200
    body = kind.json()
    assert LatestPublic.model_validate(body).model_dump(mode="json") == body  # its documented shape
    assert body["total"] == 2
    assert [d["code"] for d in body["devices"]] == ["MH-LIVE", "MH-QUIET"]
    level = next(s for s in body["summary"] if s["metric"] == "level")
    assert (level["devices"], level["min"], level["max"]) == (2, 1.0, 100.0 + 59 % 17)
    one_metric = http.get(
        "/api/v1/sensing/latest",
        params={"type": "manhole_level", "metric": "tilt"},
        headers=OPERATOR,
    ).json()
    assert [[v["metric"] for v in d["values"]] for d in one_metric["devices"]] == [["tilt"], []]
    assert [s["metric"] for s in one_metric["summary"]] == ["tilt"]
    area_code = body["devices"][0]["area_code"]
    area = http.get(
        "/api/v1/sensing/latest", params={"area": area_code[:6]}, headers=OPERATOR
    ).json()
    assert area["total"] == 3
    for params in ({}, {"device": "MH-LIVE", "type": "manhole_level"}):
        refused = http.get("/api/v1/sensing/latest", params=params, headers=OPERATOR)
        assert refused.status_code == 422
        assert refused.json()["error"]["code"] == "bad_latest_filter"


def test_health_online_and_completeness_per_type(city: tuple[Platform, TestClient]) -> None:
    p, http = city
    register(p, "MH-NEW", "manhole_level")  # registered now: it owes nothing in the window
    answer = http.get("/api/v1/sensing/health", params={"group_by": "type"}, headers=OPERATOR)
    assert answer.status_code == 200, answer.text
    groups = {g["key"]: g for g in answer.json()["groups"]}
    manhole = groups["manhole_level"]
    # MH-LIVE reported a minute ago (timeout 3 minutes); MH-QUIET 100 minutes ago
    assert (manhole["devices"], manhole["online"], manhole["offline"]) == (3, 1, 2)
    assert manhole["online_rate"] == 0.3333
    # 60 minutes × 3 metrics × 2 devices owed; MH-LIVE sent all of its 180
    assert manhole["expected"] == 360
    assert manhole["received"] == 180
    assert manhole["completeness"] == 0.5
    air = groups["air_quality"]  # hourly metrics: one point per metric owed in the hour
    assert air["online"] == 1
    assert air["received"] == 1  # pm25 is capped at the one point it owed
    by_area = http.get("/api/v1/sensing/health", params={"group_by": "area"}, headers=OPERATOR)
    assert sum(g["devices"] for g in by_area.json()["groups"]) == 4
    bad = http.get("/api/v1/sensing/health", params={"group_by": "colour"}, headers=OPERATOR)
    assert bad.status_code == 422
    assert bad.json()["error"]["code"] == "bad_health_grouping"
