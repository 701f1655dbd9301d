"""The 城市体征 API over HTTP on SQLite and PostgreSQL: the board, the drill-down and the trend
after a run of the evaluation over an imported series; the checks on the query (a bad instant, a
window turned round or over 400 days); the definitions as YAML in and out (content type, 1 MB,
a refused definition); the series import (at most 10,000 points, unknown areas, stray fields);
and who may call what beyond the access matrix (an area-bound dispatcher, an integration
token)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
import yaml
from case_city import OTHER_STREET, PASSWORD, STREET, City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import SHANGHAI
from cityops.org.public import NewApiToken, NewUser

DISTRICT = STREET[:6]  # 东湖区
SERIES = "weather.temperature_max"
HOT = "air_temperature_max"  # °C, from the series; yellow 35, orange 37, red 40; city, district
MANHOLE = "manhole_alarms"  # computed down to the grid


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    built = build_city(platform, client)
    with platform.uow() as uow:
        for username, roles, areas in [
            ("adm", ("admin",), ()),
            ("disp_x", ("dispatcher",), (STREET,)),
        ]:
            platform.org.create_user(
                uow,
                SYSTEM,
                NewUser(username=username, password=PASSWORD, roles=roles, area_codes=areas),
            )
    return built


def integration_token(platform: Platform) -> dict[str, str]:
    with platform.uow() as uow:
        platform.org.create_user(
            uow, SYSTEM, NewUser(username="bridge", password=PASSWORD, roles=("integration",))
        )
        issued = platform.org.create_api_token(
            uow, SYSTEM, NewApiToken(name="weather bridge", username="bridge")
        )
    return {"Authorization": f"Bearer {issued.token}"}


def evaluate(platform: Platform, after: timedelta = timedelta(0)) -> None:
    with platform.uow() as uow:
        platform.vitals.evaluate_due(uow, platform.clock.now() + after)


def hot_day(city: City, value: float, hours: int = 3) -> None:
    """The maximum temperature of the city and of 东湖区 each hour of the last `hours`."""
    now = city.platform.clock.now()
    points = [
        {"area": area, "at": (now - timedelta(hours=h)).isoformat(), "value": value}
        for h in range(hours)
        for area in (city_code(city), DISTRICT)
    ]
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}", json={"points": points}, headers=city.auth("adm")
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": len(points)}


def city_code(city: City) -> str:
    r = city.client.get("/api/v1/vitals", headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    code: str = r.json()["area_code"]
    return code


def tile(board: dict[str, Any], code: str) -> dict[str, Any]:
    found = [v for v in board["items"] if v["code"] == code]
    assert found, f"{code} not on the board of {board['area_code']}"
    return found[0]


# --- the board, the drill-down, the trend ----------------------------------------------------


def test_the_board_shows_every_indicator_of_the_city_in_categories(city: City) -> None:
    r = city.client.get("/api/v1/vitals", headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    board = r.json()
    assert board["area_level"] == "city"
    assert board["version"] >= 1
    assert len(board["items"]) > 30
    assert {v["category"] for v in board["items"]} == {
        "weather_environment",
        "traffic",
        "supply",
        "safety_lifeline",
        "city_order",
        "public_appeals",
        "facilities",
    }
    hot = tile(board, HOT)
    assert [t["level"] for t in hot["thresholds"]] == ["yellow", "orange", "red"]
    assert hot["unit"] == "°C"
    assert hot["levels"] == ["city", "district"]
    assert hot["value"] is None  # nothing imported, nothing evaluated


def test_a_street_board_leaves_out_what_is_not_computed_there(city: City) -> None:
    r = city.client.get("/api/v1/vitals", params={"area": STREET}, headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    board = r.json()
    assert board["area_code"] == STREET
    assert board["area_level"] == "street"
    codes = {v["code"] for v in board["items"]}
    assert MANHOLE in codes
    assert HOT not in codes


def test_an_imported_series_is_evaluated_onto_the_board_and_its_trend(city: City) -> None:
    hot_day(city, 38.0)
    evaluate(city.platform)
    board = city.client.get("/api/v1/vitals", headers=city.auth("boss")).json()
    hot = tile(board, HOT)
    assert hot["value"] == pytest.approx(38.0)
    assert hot["status"] in ("pending", "firing")
    assert hot["level"] == "orange"
    district = city.client.get(
        "/api/v1/vitals", params={"area": DISTRICT}, headers=city.auth("boss")
    ).json()
    assert tile(district, HOT)["value"] == pytest.approx(38.0)

    r = city.client.get(f"/api/v1/vitals/{HOT}/trend", headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    trend = r.json()
    assert trend["current"]["code"] == HOT
    assert any(p["value"] == pytest.approx(38.0) for p in trend["points"])
    assert set(trend["baselines"]) <= {"year_on_year", "period_on_period", "same_hour_last_week"}
    assert trend["transitions"], "normal/unevaluated → pending is a change of state"
    assert trend["transitions"][-1]["to_level"] == "orange"


def test_the_drill_down_lists_the_child_areas_worst_first(city: City) -> None:
    hot_day(city, 38.0)
    evaluate(city.platform)
    r = city.client.get(f"/api/v1/vitals/{HOT}/areas", headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    found = r.json()
    assert found["level"] == "district"
    assert [c["code"] for c in found["chain"]][-1] == found["parent_code"]
    codes = [v["area_code"] for v in found["items"]]
    assert codes[0] == DISTRICT  # the only district with a value: worst first
    assert codes[-1] != DISTRICT
    assert found["items"][-1]["value"] is None

    r = city.client.get(
        f"/api/v1/vitals/{MANHOLE}/areas", params={"parent": STREET}, headers=city.auth("boss")
    )
    assert r.status_code == 200, r.text
    assert r.json()["level"] == "community"
    assert all(v["area_code"].startswith(STREET) for v in r.json()["items"])


def test_unknown_indicators_and_areas_are_404(city: City) -> None:
    boss = city.auth("boss")
    r = city.client.get("/api/v1/vitals/no_such_thing/trend", headers=boss)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "vital_not_found"
    r = city.client.get("/api/v1/vitals", params={"area": "999999"}, headers=boss)
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "vital_area_not_found"


def test_an_area_bound_viewer_sees_only_inside_their_areas(city: City) -> None:
    mine = city.auth("disp_x")
    r = city.client.get("/api/v1/vitals", params={"area": STREET}, headers=mine)
    assert r.status_code == 200, r.text
    for path, params in [
        ("/api/v1/vitals", {"area": OTHER_STREET}),
        (f"/api/v1/vitals/{MANHOLE}/trend", {"area": OTHER_STREET}),
        (f"/api/v1/vitals/{MANHOLE}/areas", {"parent": OTHER_STREET}),
    ]:
        r = city.client.get(path, params=params, headers=mine)
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == "vital_area_not_found"


@pytest.mark.parametrize("user", ["h_cgj", "insp", "cit"])
def test_roles_outside_the_operation_centre_may_not_read(city: City, user: str) -> None:
    r = city.client.get("/api/v1/vitals", headers=city.auth(user))
    assert r.status_code == 403, r.text


# --- the trend's window ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "code", "words"),
    [
        ({"from": "yesterday"}, "invalid_instant", "from must be an ISO 8601 instant"),
        ({"to": "1700000000"}, "invalid_instant", "to must be an ISO 8601 instant"),
        ({"from": "2026-11-23"}, "invalid_instant", "from must be an ISO 8601 instant"),
        (
            {"from": "2026-11-23T10:00:00+08:00", "to": "2026-11-23T09:00:00+08:00"},
            "invalid_window",
            "must lie before to",
        ),
        (
            {"from": "2026-11-23T09:00:00+08:00", "to": "2026-11-23T09:00:00+08:00"},
            "invalid_window",
            "must lie before to",
        ),
        ({"from": "2026-11-24T09:00:00+08:00"}, "invalid_window", "must lie before now"),
        (
            {"from": "2025-01-01T00:00:00+08:00", "to": "2026-11-23T00:00:00+08:00"},
            "window_too_long",
            "at most 400 days",
        ),
        ({"to": "9999-12-31T23:59:59-14:00"}, "date_out_of_range", "to 9999-12-31"),
    ],
)
def test_a_bad_window_is_a_422_that_says_why(
    city: City, params: dict[str, str], code: str, words: str
) -> None:
    r = city.client.get(f"/api/v1/vitals/{HOT}/trend", params=params, headers=city.auth("boss"))
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == code
    assert words in error["message"]


def test_a_window_of_400_days_is_answered_in_buckets(city: City) -> None:
    hot_day(city, 38.0)
    evaluate(city.platform)
    end = city.platform.clock.now() + timedelta(minutes=1)
    params = {"from": (end - timedelta(days=400)).isoformat(), "to": end.isoformat()}
    r = city.client.get(f"/api/v1/vitals/{HOT}/trend", params=params, headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    trend = r.json()
    assert trend["start"][:10] == (end - timedelta(days=400)).date().isoformat()
    # 9,600 hourly intervals: 12 h buckets (800), each with its mean, least and greatest value
    assert trend["step_seconds"] == 12 * 3600
    assert [(p["value"], p["low"], p["high"]) for p in trend["points"]] == [(38.0, 38.0, 38.0)]
    short = city.client.get(f"/api/v1/vitals/{HOT}/trend", headers=city.auth("boss")).json()
    assert short["step_seconds"] == 3600
    assert [(p["low"], p["high"]) for p in short["points"]] == [(None, None)]


def test_an_instant_without_a_zone_is_shanghai_time(city: City) -> None:
    params = {"from": "2026-11-23T01:00:00", "to": "2026-11-23T08:00:00"}
    r = city.client.get(f"/api/v1/vitals/{HOT}/trend", params=params, headers=city.auth("boss"))
    assert r.status_code == 200, r.text
    start = datetime.fromisoformat(r.json()["start"])
    assert start == datetime(2026, 11, 23, 1, 0, tzinfo=SHANGHAI)


# --- definitions -----------------------------------------------------------------------------


def test_definitions_go_out_and_come_back_as_yaml(city: City) -> None:
    adm = city.auth("adm")
    r = city.client.get("/api/v1/vitals/definitions", headers=adm)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/yaml")
    version = int(r.headers["X-Definitions-Version"])
    document = yaml.safe_load(r.text)
    hot = next(d for d in document["indicators"] if d["code"] == HOT)
    hot["thresholds"]["yellow"] = 34
    body = yaml.safe_dump(document, allow_unicode=True).encode()
    for media in ("application/x-yaml", "text/yaml; charset=utf-8"):
        r = city.client.put(
            "/api/v1/vitals/definitions", content=body, headers={**adm, "Content-Type": media}
        )
        assert r.status_code == 200, r.text
    first = r.json()
    assert first["version"] == version + 1  # the second import changed nothing
    r = city.client.get("/api/v1/vitals/definitions", headers=city.auth("boss"))  # leaders read
    assert r.status_code == 200
    assert int(r.headers["X-Definitions-Version"]) == version + 1
    board = city.client.get("/api/v1/vitals", headers=adm).json()
    assert {t["level"]: t["value"] for t in tile(board, HOT)["thresholds"]}["yellow"] == 34


def test_a_definition_import_reports_what_changed(city: City) -> None:
    adm = city.auth("adm")
    text = city.client.get("/api/v1/vitals/definitions", headers=adm).text
    document = yaml.safe_load(text)
    hot = next(d for d in document["indicators"] if d["code"] == HOT)
    hot["thresholds"]["red"] = 41
    body = yaml.safe_dump({"indicators": [hot]}, allow_unicode=True).encode()
    r = city.client.put(
        "/api/v1/vitals/definitions", content=body, headers={**adm, "Content-Type": "text/yaml"}
    )
    assert r.status_code == 200, r.text
    assert r.json()["changed"] == [HOT]
    assert r.json()["added"] == []


def test_a_refused_definition_names_the_indicator_and_the_field(city: City) -> None:
    adm = city.auth("adm")
    body = yaml.safe_dump(
        {"indicators": [{"code": "broken", "name": {"zh": "坏"}, "unit": "", "category": "x"}]}
    ).encode()
    r = city.client.put(
        "/api/v1/vitals/definitions", content=body, headers={**adm, "Content-Type": "text/yaml"}
    )
    assert r.status_code == 422, r.text
    error = r.json()["error"]
    assert error["code"] == "bad_indicator_definition"
    assert "broken" in error["message"]


@pytest.mark.parametrize(
    ("body", "media", "status"),
    [
        (b"indicators: []", "application/json", 415),
        (b"indicators: []", None, 415),
        (b"#" * 1_000_001, "text/yaml", 413),
        ("\u5f20".encode("utf-16"), "text/yaml", 422),
        (b"   ", "text/yaml", 422),
    ],
)
def test_a_definitions_body_must_be_yaml_text_of_at_most_1_mb(
    city: City, body: bytes, media: str | None, status: int
) -> None:
    headers = city.auth("adm")
    if media:
        headers["Content-Type"] = media
    r = city.client.put("/api/v1/vitals/definitions", content=body, headers=headers)
    assert r.status_code == status, r.text


@pytest.mark.parametrize("user", ["boss", "disp"])
def test_only_administrators_import_definitions(city: City, user: str) -> None:
    r = city.client.put(
        "/api/v1/vitals/definitions",
        content=b"indicators: []",
        headers={**city.auth(user), "Content-Type": "text/yaml"},
    )
    assert r.status_code == 403, r.text


# --- series ----------------------------------------------------------------------------------


def test_an_integration_token_imports_a_series(city: City) -> None:
    at = city.platform.clock.now().isoformat()
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}",
        json={"points": [{"area": DISTRICT, "at": at, "value": 31.2}]},
        headers=integration_token(city.platform),
    )
    assert r.status_code == 200, r.text
    assert r.json() == {"stored": 1}


@pytest.mark.parametrize(
    ("points", "field"),
    [
        ([], "points"),
        ([{"area": DISTRICT, "at": "now", "value": 1}], "points.0.at"),
        ([{"area": DISTRICT, "at": "2026-11-23T09:00:00+08:00", "value": "hot"}], "points.0.value"),
        ([{"area": DISTRICT, "at": "2026-11-23T09:00:00+08:00", "value": 1, "x": 1}], "points.0.x"),
        ([{"area": "", "at": "2026-11-23T09:00:00+08:00", "value": 1}], "points.0.area"),
    ],
)
def test_a_bad_point_is_a_422_naming_it(
    city: City, points: list[dict[str, Any]], field: str
) -> None:
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}", json={"points": points}, headers=city.auth("adm")
    )
    assert r.status_code == 422, r.text
    assert field in [p["field"] for p in r.json()["error"]["details"]["problems"]]


def test_at_most_10000_points_a_request(city: City) -> None:
    point = {"area": DISTRICT, "at": "2026-11-23T09:00:00+08:00", "value": 1.0}
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}",
        json={"points": [point] * 10_001},
        headers=city.auth("adm"),
    )
    assert r.status_code == 422, r.text
    assert "10000" in r.json()["error"]["message"]


def test_an_unknown_area_stores_nothing(city: City) -> None:
    at = "2026-11-23T09:00:00+08:00"
    points = [
        {"area": DISTRICT, "at": at, "value": 39.0},
        {"area": "999999", "at": at, "value": 39.0},
    ]
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}", json={"points": points}, headers=city.auth("adm")
    )
    assert r.status_code == 422, r.text
    assert "999999" in r.json()["error"]["message"]
    evaluate(city.platform)
    district = city.client.get(
        "/api/v1/vitals", params={"area": DISTRICT}, headers=city.auth("boss")
    ).json()
    assert tile(district, HOT)["value"] is None


@pytest.mark.parametrize("user", ["boss", "disp", "op"])
def test_only_administrators_and_integrations_import_series(city: City, user: str) -> None:
    point = {"area": DISTRICT, "at": "2026-11-23T09:00:00+08:00", "value": 1.0}
    r = city.client.post(
        f"/api/v1/vitals/series/{SERIES}", json={"points": [point]}, headers=city.auth(user)
    )
    assert r.status_code == 403, r.text


def test_the_api_is_documented_under_its_tag(city: City) -> None:
    paths = city.client.get("/openapi.json").json()["paths"]
    vitals = {p: ops for p, ops in paths.items() if p.startswith("/api/v1/vitals")}
    assert len(vitals) == 5
    for ops in vitals.values():
        for op in ops.values():
            assert op["tags"] == ["vitals"]
            assert op["summary"]
    put = paths["/api/v1/vitals/definitions"]["put"]
    assert set(put["requestBody"]["content"]) == {"text/yaml", "application/x-yaml"}
