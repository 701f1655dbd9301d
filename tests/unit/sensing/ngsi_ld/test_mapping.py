"""A device as an NGSI-LD entity: id, type, attribute names, units, observedAt, projections."""

from __future__ import annotations

from datetime import UTC, datetime

from cityops.sensing.model import MetricSpec
from cityops.sensing.ngsi_ld.mapping import (
    DeviceView,
    LatestValue,
    iso_ms,
    split_entity_id,
    to_entity,
)

AT = int(datetime(2026, 11, 23, 1, 0, 0, 250000, tzinfo=UTC).timestamp() * 1000)
METRICS = (
    MetricSpec("pm25", "PM2.5", "PM2.5", "µg/m³", sdm="AirQualityObserved.pm25"),
    MetricSpec("humidity", "湿度", "Humidity", "%", sdm="AirQualityObserved.relativeHumidity"),
    MetricSpec("tsp", "总悬浮颗粒物", "TSP", "µg/m³"),
    MetricSpec("smoke", "烟雾", "Smoke", "%obs/m"),
)


def _device(sdm_type: str = "AirQualityObserved", **latest: float) -> DeviceView:
    return DeviceView(
        device_id=7,
        code="AQ-0001",
        name="东湖站",
        lon=120.1,
        lat=30.2,
        area_code="330191001",
        sdm_type=sdm_type,
        metrics=METRICS,
        latest={k: LatestValue(AT, v) for k, v in latest.items()},
    )


def test_normalized_entity() -> None:
    entity = to_entity(_device(pm25=35.5, humidity=60, tsp=120, smoke=0.5))
    assert entity["id"] == "urn:ngsi-ld:AirQualityObserved:AQ-0001"
    assert entity["pm25"] == {
        "type": "Property",
        "value": 35.5,
        "observedAt": "2026-11-23T01:00:00.250Z",
        "unitCode": "GQ",
    }
    assert entity["relativeHumidity"]["unitCode"] == "P1"
    assert entity["tsp"]["value"] == 120  # no SDM attribute: the metric's key
    assert "unitCode" not in entity["smoke"]  # no UN/CEFACT code for %obs/m
    assert entity["areaServed"] == {"type": "Property", "value": "330191001"}
    assert entity["dateObserved"]["value"]["@value"] == "2026-11-23T01:00:00.250Z"
    assert "@context" not in entity


def test_a_type_without_sdm_type_is_device_and_unreported_metrics_are_left_out() -> None:
    entity = to_entity(_device("", pm25=1), context_in_body=True)
    assert entity["type"] == "Device"
    assert entity["id"] == "urn:ngsi-ld:Device:AQ-0001"
    assert "relativeHumidity" not in entity
    assert "dateObserved" not in entity  # only the …Observed types carry it
    assert entity["@context"].startswith("https://uri.etsi.org/ngsi-ld/")


def test_key_values_and_attrs() -> None:
    entity = to_entity(_device(pm25=35.5, humidity=60), key_values=True, attrs=frozenset({"pm25"}))
    assert entity == {"id": "urn:ngsi-ld:AirQualityObserved:AQ-0001",
                      "type": "AirQualityObserved", "pm25": 35.5}  # fmt: skip


def test_ids() -> None:
    assert split_entity_id("urn:ngsi-ld:Device:ML:01") == ("Device", "ML:01")
    for wrong in ("urn:ngsi-ld:Device", "urn:ngsi-ld::X", "urn:x:Device:A", "AQ-0001"):
        assert split_entity_id(wrong) is None
    assert iso_ms(0) == "1970-01-01T00:00:00.000Z"
