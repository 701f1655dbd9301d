"""NGSI-LD through HTTP, on SQLite and PostgreSQL: entities built from the devices and their
latest readings, the query subset (type, id, q, near, within, attrs, keyValues, paging), the
temporal API raw and aggregated (from raw points and from rollup rows), and every refusal in
NGSI-LD's ProblemDetails format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from ngsi_ld_city import EAST, HOUR_MS, ORIGIN, PM25, NgsiCity, iso, seed_ngsi_city
from sqlalchemy import insert

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import SHANGHAI, FixedClock
from cityops.sensing.store import devices, rollups
from cityops.web.app import create_app

AQ1 = "urn:ngsi-ld:AirQualityObserved:AQ-0001"
AQ2 = "urn:ngsi-ld:AirQualityObserved:AQ-0002"
BAD = "https://uri.etsi.org/ngsi-ld/errors/BadRequestData"


@pytest.fixture
def world(settings: Settings, clock: FixedClock) -> Iterator[tuple[Platform, NgsiCity]]:
    p = build_platform(settings, clock=clock, migrate=False)
    city = seed_ngsi_city(p)
    yield p, city
    p.close()


@pytest.fixture
def http(world: tuple[Platform, NgsiCity]) -> Iterator[TestClient]:
    p, city = world
    with TestClient(create_app(p)) as client:
        client.headers["Authorization"] = f"Bearer {city.staff_token}"
        yield client


def _get(http: TestClient, path: str, **params: Any) -> Any:
    answer = http.get(f"/ngsi-ld/v1/{path}", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _ids(found: list[dict[str, Any]]) -> list[str]:
    return [e["id"] for e in found]


def test_an_entity_carries_the_latest_readings_in_sdm_terms(
    http: TestClient, world: tuple[Platform, NgsiCity]
) -> None:
    _, city = world
    answer = http.get(f"/ngsi-ld/v1/entities/{AQ1}")
    assert answer.headers["content-type"] == "application/json"
    assert "ngsi-ld-core-context" in answer.headers["link"]
    entity = answer.json()
    last = city.start_ms + 17 * 10 * 60_000
    assert entity["type"] == "AirQualityObserved"
    assert entity["location"] == {
        "type": "GeoProperty",
        "value": {"type": "Point", "coordinates": list(ORIGIN)},
    }
    assert entity["pm25"] == {
        "type": "Property",
        "value": PM25[-1],
        "unitCode": "GQ",
        "observedAt": iso(last).replace("Z", ".000Z"),
    }
    assert entity["pm10"]["value"] == 2 * PM25[-1]
    assert entity["areaServed"]["value"].startswith("330191")
    assert "no2" not in entity  # never reported
    traffic = _get(http, "entities/urn:ngsi-ld:TrafficFlowObserved:TF-0001")
    assert traffic["averageVehicleSpeed"]["value"] == 37.5
    assert traffic["averageVehicleSpeed"]["unitCode"] == "KMH"
    assert traffic["intensity"]["value"] == 42
    assert "unitCode" not in traffic["occupancy"]
    gauge = _get(http, "entities/urn:ngsi-ld:Device:ML-0001", options="keyValues")
    assert gauge["value"] == 12.5
    assert gauge["batteryLevel"] == 88
    assert gauge["location"] == {"type": "Point", "coordinates": [ORIGIN[0], ORIGIN[1] + 0.001]}
    ld = http.get(f"/ngsi-ld/v1/entities/{AQ1}", headers={"Accept": "application/ld+json"})
    assert ld.headers["content-type"] == "application/ld+json"
    assert ld.json()["@context"].endswith("ngsi-ld-core-context.jsonld")


def test_queries_by_type_id_q_attrs_and_paging(http: TestClient) -> None:
    assert _ids(_get(http, "entities", type="AirQualityObserved")) == [AQ1, AQ2]
    assert _ids(_get(http, "entities", type="Device")) == ["urn:ngsi-ld:Device:ML-0001"]
    assert _ids(_get(http, "entities", id=AQ2)) == [AQ2]
    assert _ids(_get(http, "entities", type="AirQualityObserved", q="pm25>50")) == [AQ2]
    assert _ids(_get(http, "entities", q="pm25<50|intensity==42")) == [
        AQ1,
        "urn:ngsi-ld:TrafficFlowObserved:TF-0001",
    ]
    assert _ids(_get(http, "entities", q="pm25>=10;pm10==120")) == [AQ2]
    assert _ids(_get(http, "entities", q="pm25==20..30")) == [AQ1]
    assert _ids(_get(http, "entities", q='areaServed!="nowhere";batteryLevel')) == [
        "urn:ngsi-ld:Device:ML-0001"
    ]
    only = _get(http, "entities", type="AirQualityObserved", attrs="pm25")
    assert [sorted(e) for e in only] == [["id", "pm25", "type"]] * 2
    page = http.get(
        "/ngsi-ld/v1/entities", params={"type": "AirQualityObserved", "limit": 1, "count": "true"}
    )
    assert page.headers["NGSILD-Results-Count"] == "2"
    assert _ids(page.json()) == [AQ1]
    second = _get(http, "entities", type="AirQualityObserved", limit=1, offset=1)
    assert _ids(second) == [AQ2]


def test_near_and_within(http: TestClient) -> None:
    at = f"[{ORIGIN[0]},{ORIGIN[1]}]"
    near = {"type": "AirQualityObserved", "georel": "near;maxDistance==1000"}
    assert _ids(_get(http, "entities", **near, geometry="Point", coordinates=at)) == [AQ1]
    wide = near | {"georel": "near;maxDistance==2000"}
    assert _ids(_get(http, "entities", **wide, geometry="Point", coordinates=at)) == [AQ1, AQ2]
    far = near | {"georel": "near;minDistance==1000"}
    assert _ids(_get(http, "entities", **far, geometry="Point", coordinates=at)) == [AQ2]
    w, e = EAST[0] - 0.001, EAST[0] + 0.001
    s, n = EAST[1] - 0.001, EAST[1] + 0.001
    box = f"[[[{w},{s}],[{e},{s}],[{e},{n}],[{w},{n}],[{w},{s}]]]"
    within = _get(http, "entities", georel="within", geometry="Polygon", coordinates=box)
    assert _ids(within) == [AQ2]


def test_temporal_values_and_aggregates_from_raw_points(
    http: TestClient, world: tuple[Platform, NgsiCity]
) -> None:
    _, city = world
    values = _get(http, f"temporal/entities/{AQ1}", attrs="pm25", options="temporalValues", lastN=3)
    assert [v[0] for v in values["pm25"]["values"]] == PM25[-3:]
    assert "pm10" not in values
    instances = _get(http, f"temporal/entities/{AQ1}", attrs="pm10", lastN=2)
    assert [i["value"] for i in instances["pm10"]] == [2 * v for v in PM25[-2:]]
    assert instances["pm10"][0]["unitCode"] == "GQ"
    span = {
        "timerel": "between",
        "timeAt": iso(city.start_ms),
        "endTimeAt": iso(city.start_ms + 3 * HOUR_MS),
    }
    hourly = _get(
        http,
        f"temporal/entities/{AQ1}",
        attrs="pm25",
        aggrMethods="avg,min,max,sum,totalCount,stddev",
        aggrPeriodDuration="PT1H",
        **span,
    )["pm25"]
    hours = [PM25[0:6], PM25[6:12], PM25[12:18]]
    assert [row[0] for row in hourly["totalCount"]] == [6, 6, 6]
    assert [row[0] for row in hourly["avg"]] == [sum(h) / 6 for h in hours]
    assert [row[0] for row in hourly["min"]] == [h[0] for h in hours]
    assert [row[0] for row in hourly["max"]] == [h[-1] for h in hours]
    assert [row[0] for row in hourly["sum"]] == [sum(h) for h in hours]
    assert hourly["stddev"][0][0] == pytest.approx((35 / 12) ** 0.5)  # of 6 consecutive values
    assert hourly["avg"][1][1:] == [
        iso(city.start_ms + HOUR_MS).replace("Z", ".000Z"),
        iso(city.start_ms + 2 * HOUR_MS).replace("Z", ".000Z"),
    ]
    whole = _get(http, f"temporal/entities/{AQ1}", aggrMethods="totalCount", **span)
    assert whole["pm25"]["totalCount"][0][0] == 18
    assert whole["pm10"]["totalCount"][0][0] == 18
    twenty = _get(
        http,
        f"temporal/entities/{AQ1}",
        attrs="pm25",
        aggrMethods="max",
        aggrPeriodDuration="PT20M",
        **span,
    )
    assert [row[0] for row in twenty["pm25"]["max"]] == PM25[1::2]
    across = _get(
        http,
        "temporal/entities",
        type="AirQualityObserved",
        attrs="pm25",
        aggrMethods="max",
        **span,
    )
    assert [(e["id"], e["pm25"]["max"][0][0]) for e in across] == [(AQ1, 27.0), (AQ2, 80.0)]


def test_settled_hours_are_read_from_the_rollups(
    http: TestClient, world: tuple[Platform, NgsiCity]
) -> None:
    p, city = world
    day = city.start_ms - city.start_ms % (24 * HOUR_MS) - 24 * HOUR_MS  # yesterday, settled
    with p.engine.begin() as conn:
        device_id = conn.execute(devices.select().where(devices.c.code == "AQ-0001")).one().id
        conn.execute(
            insert(rollups),
            [
                {"device_id": device_id, "metric": "pm25", "period": "1h", "bucket": at,
                 "min": 1.0, "max": 9.0, "sum": 50.0, "count": 10, "last": 5.0, "last_ts": at}
                for at in (day + 2 * HOUR_MS, day + 5 * HOUR_MS)
            ],
        )  # fmt: skip
    answer = _get(
        http,
        f"temporal/entities/{AQ1}",
        attrs="pm25",
        aggrMethods="avg,totalCount,max",
        aggrPeriodDuration="PT1H",
        timerel="between",
        timeAt=iso(day),
        endTimeAt=iso(day + 24 * HOUR_MS),
    )
    assert [(row[0], row[1]) for row in answer["pm25"]["avg"]] == [
        (5.0, iso(day + 2 * HOUR_MS).replace("Z", ".000Z")),
        (5.0, iso(day + 5 * HOUR_MS).replace("Z", ".000Z")),
    ]
    assert [row[0] for row in answer["pm25"]["totalCount"]] == [10, 10]
    # distinctCount is not kept by a rollup: the same hours from raw points have none
    raw = _get(
        http,
        f"temporal/entities/{AQ1}",
        attrs="pm25",
        aggrMethods="distinctCount",
        aggrPeriodDuration="PT1H",
        timerel="between",
        timeAt=iso(day),
        endTimeAt=iso(day + 24 * HOUR_MS),
    )
    assert "pm25" not in raw


@pytest.mark.parametrize(
    ("path", "params", "detail"),
    [
        ("entities", {}, "at least one of"),
        ("entities", {"type": "X", "q": "pm25>"}, "a value is expected"),
        ("entities", {"type": "X", "q": "pm25~=a.*"}, "not supported"),
        ("entities", {"type": "X", "q": "pm25.observedAt>1"}, "not supported"),
        ("entities", {"type": "X", "q": "(pm25>1"}, "')' is missing"),
        ("entities", {"type": "X", "q": "pm25>1;"}, "attribute name is expected"),
        ("entities", {"type": "X", "q": "pm25>abc"}, "not a number"),
        ("entities", {"type": "X", "q": "pm25>1..5"}, "range goes with == or !="),
        ("entities", {"type": "X", "q": 'type=="A"'}, "use the id and type parameters"),
        ("entities", {"type": "X", "idPattern": ".*"}, "idPattern is not supported"),
        ("entities", {"type": "X", "limit": "5000"}, "limit must be"),
        ("entities", {"type": "X", "limit": "0"}, "only with count=true"),
        ("entities", {"type": "X", "options": "sysAttrs"}, "sysAttrs not supported"),
        ("entities", {"georel": "near;maxDistance==10"}, "needs geometry and coordinates"),
        (
            "entities",
            {"georel": "near", "geometry": "Point", "coordinates": "[120,30]"},
            "maxDistance==N",
        ),
        (
            "entities",
            {"georel": "near;maxDistance==1", "geometry": "Point", "coordinates": "[300,30]"},
            "outside WGS84",
        ),
        (
            "entities",
            {"georel": "intersects", "geometry": "Point", "coordinates": "[120,30]"},
            "not served",
        ),
        (
            "entities",
            {"georel": "within", "geometry": "Polygon", "coordinates": "[[[0,0],[1,1],[0,0]]]"},
            "at least 4 positions",
        ),
        (f"temporal/entities/{AQ1}", {"aggrMethods": "avg"}, "timerel=between"),
        (f"temporal/entities/{AQ1}", {"aggrMethods": "median"}, "median not served"),
        (f"temporal/entities/{AQ1}", {"timerel": "between", "timeAt": "2026-11-01"}, "time zone"),
        (
            f"temporal/entities/{AQ1}",
            {
                "timerel": "between",
                "timeAt": "2026-01-01T00:00:00Z",
                "endTimeAt": "2026-11-01T00:00:00Z",
                "aggrMethods": "avg",
                "aggrPeriodDuration": "PT1M",
            },
            "at most 1000 are served",
        ),
        (
            f"temporal/entities/{AQ1}",
            {
                "timerel": "between",
                "timeAt": "2026-01-01T00:00:00Z",
                "endTimeAt": "2026-11-01T00:00:00Z",
                "aggrMethods": "avg",
                "aggrPeriodDuration": "P1M",
            },
            "years and months",
        ),
        (f"temporal/entities/{AQ1}", {"lastN": "0"}, "lastN"),
        ("temporal/entities", {"type": "X", "timerel": "whenever", "timeAt": "x"}, "timerel is"),
    ],
)
def test_refusals_are_bad_request_data(
    http: TestClient, path: str, params: dict[str, str], detail: str
) -> None:
    answer = http.get(f"/ngsi-ld/v1/{path}", params=params)
    assert answer.status_code == 400, answer.text
    body = answer.json()
    assert body["type"] == BAD
    assert body["title"]
    assert detail in body["detail"]


def test_unknown_entities_unsigned_and_citizens(
    http: TestClient, world: tuple[Platform, NgsiCity]
) -> None:
    _, city = world
    for missing in ("urn:ngsi-ld:AirQualityObserved:NOPE", "urn:ngsi-ld:Device:AQ-0001", "x"):
        answer = http.get(f"/ngsi-ld/v1/entities/{missing}")
        assert answer.status_code == 404
        assert answer.json()["type"] == "https://uri.etsi.org/ngsi-ld/errors/ResourceNotFound"
    for auth, status in (
        ("", 401),
        ("Bearer nonsense", 401),
        (f"Bearer {city.citizen_token}", 403),
    ):
        answer = http.get(
            "/ngsi-ld/v1/entities", params={"type": "Device"}, headers={"Authorization": auth}
        )
        assert answer.status_code == status, answer.text
        assert answer.json()["type"] == "about:blank"


def test_days_are_beijing_days_as_in_the_daily_rollups(
    http: TestClient, world: tuple[Platform, NgsiCity]
) -> None:
    p, city = world
    # a day bucket starts at 00:00 Beijing time: 16:00 UTC of the day before
    midnight = city.start_ms - (city.start_ms + 8 * HOUR_MS) % (24 * HOUR_MS) - 5 * 24 * HOUR_MS
    with p.engine.begin() as conn:
        device_id = conn.execute(devices.select().where(devices.c.code == "AQ-0001")).one().id
        conn.execute(
            insert(rollups),
            [
                {"device_id": device_id, "metric": "pm25", "period": "1d", "bucket": at,
                 "min": 3.0, "max": 30.0, "sum": 240.0, "count": 24, "last": 7.0, "last_ts": at}
                for at in (midnight, midnight + 2 * 24 * HOUR_MS)
            ],
        )  # fmt: skip
    beijing = {
        "attrs": "pm25",
        "aggrMethods": "avg,max",
        "aggrPeriodDuration": "P1D",
        "timerel": "between",
        "timeAt": datetime.fromtimestamp(midnight / 1000, tz=SHANGHAI).isoformat(),
        "endTimeAt": iso(midnight + 3 * 24 * HOUR_MS),
    }
    assert beijing["timeAt"].endswith("T00:00:00+08:00")
    days = _get(http, f"temporal/entities/{AQ1}", **beijing)["pm25"]
    assert [(row[0], row[1]) for row in days["avg"]] == [
        (10.0, iso(midnight).replace("Z", ".000Z")),
        (10.0, iso(midnight + 2 * 24 * HOUR_MS).replace("Z", ".000Z")),
    ]
    assert [row[0] for row in days["max"]] == [30.0, 30.0]
    # days cut at UTC midnight are not the rollups' days: they are counted from raw points,
    # and there are none that far back
    utc = beijing | {
        "timeAt": iso(midnight + 8 * HOUR_MS),
        "endTimeAt": iso(midnight + 8 * HOUR_MS + 3 * 24 * HOUR_MS),
    }
    assert "pm25" not in _get(http, f"temporal/entities/{AQ1}", **utc)
