"""A device, its type and its latest values as an NGSI-LD entity (no I/O, no framework).

The entity id is `urn:ngsi-ld:<Smart Data Models type>:<device code>`, its `type` the device
type's SDM type (`Device` when it has none). A metric is a Property named by its SDM attribute
(`AirQualityObserved.pm25` → `pm25`), else by its own key, with `value`, `observedAt` and the
UN/CEFACT `unitCode` where the unit has one.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cityops.sensing.model import MetricSpec

CORE_CONTEXT = "https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld"
JSONLD = "application/ld+json"
LINK_HEADER = f'<{CORE_CONTEXT}>; rel="http://www.w3.org/ns/json-ld#context"; type="{JSONLD}"'
URN_PREFIX = "urn:ngsi-ld:"
DEFAULT_TYPE = "Device"

# UN/CEFACT Common Codes of the units the shipped device types use; a unit without one
# (NTU, veh/min, counts, dimensionless ratios) is sent without unitCode.
UNIT_CODES: dict[str, str] = {
    "µg/m³": "GQ",
    "mg/m³": "GP",
    "°C": "CEL",
    "%": "P1",
    "kPa": "KPA",
    "m/s": "MTS",
    "°": "DD",
    "mg/L": "M1",
    "µS/cm": "G42",
    "cm": "CMT",
    "km/h": "KMH",
    "W": "WTT",
    "lx": "LUX",
}


@dataclass(frozen=True)
class LatestValue:
    ts_ms: int
    value: float


@dataclass(frozen=True)
class DeviceView:
    """What the mapping needs of a device: read by the store, rendered here."""

    device_id: int
    code: str
    name: str
    lon: float
    lat: float
    area_code: str
    sdm_type: str
    metrics: tuple[MetricSpec, ...]
    latest: Mapping[str, LatestValue]  # metric key → newest value

    @property
    def entity_type(self) -> str:
        return self.sdm_type or DEFAULT_TYPE

    @property
    def entity_id(self) -> str:
        return f"{URN_PREFIX}{self.entity_type}:{self.code}"


def split_entity_id(entity_id: str) -> tuple[str, str] | None:
    """(type, device code) of `urn:ngsi-ld:<type>:<code>`, or None for any other id."""
    if not entity_id.startswith(URN_PREFIX):
        return None
    kind, sep, code = entity_id[len(URN_PREFIX) :].partition(":")
    if not sep or not kind or not code:
        return None
    return kind, code


def attribute_name(spec: MetricSpec) -> str:
    """`AirQualityObserved.pm25` → `pm25`; a metric without an SDM attribute keeps its key."""
    return spec.sdm.rpartition(".")[2] if spec.sdm else spec.key


def attribute_map(metrics: Sequence[MetricSpec]) -> dict[str, MetricSpec]:
    """Attribute name → metric spec, in the type's order."""
    return {attribute_name(spec): spec for spec in metrics}


def unit_code(unit: str) -> str | None:
    return UNIT_CODES.get(unit)


def iso_ms(ts_ms: int) -> str:
    """Milliseconds since 1970 as ISO 8601 UTC with a Z (`2026-12-07T10:00:00.000Z`)."""
    at = datetime.fromtimestamp(ts_ms / 1000, tz=UTC)
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{ts_ms % 1000:03d}Z"


def metric_property(spec: MetricSpec, value: float, ts_ms: int) -> dict[str, Any]:
    prop: dict[str, Any] = {"type": "Property", "value": value, "observedAt": iso_ms(ts_ms)}
    if code := unit_code(spec.unit):
        prop["unitCode"] = code
    return prop


def plain_attributes(device: DeviceView) -> dict[str, Any]:
    """Every attribute's plain value (what `q` compares and keyValues shows)."""
    values: dict[str, Any] = {}
    if device.name:
        values["name"] = device.name
    if device.area_code:
        values["areaServed"] = device.area_code
    for name, spec in attribute_map(device.metrics).items():
        if (latest := device.latest.get(spec.key)) is not None:
            values[name] = latest.value
    if device.latest and device.entity_type.endswith("Observed"):
        values["dateObserved"] = iso_ms(max(v.ts_ms for v in device.latest.values()))
    return values


def to_entity(
    device: DeviceView,
    *,
    attrs: frozenset[str] | None = None,
    key_values: bool = False,
    context_in_body: bool = False,
) -> dict[str, Any]:
    """The entity in the normalized form (or keyValues); `attrs` keeps only those attributes
    (location included only when asked for or when `attrs` is None)."""
    entity: dict[str, Any] = {"id": device.entity_id, "type": device.entity_type}
    location = {"type": "Point", "coordinates": [device.lon, device.lat]}

    def wanted(name: str) -> bool:
        return attrs is None or name in attrs

    if wanted("location"):
        entity["location"] = location if key_values else {"type": "GeoProperty", "value": location}
    specs = attribute_map(device.metrics)
    for name, value in plain_attributes(device).items():
        if not wanted(name):
            continue
        spec = specs.get(name)
        if key_values:
            entity[name] = value
        elif spec is not None:
            latest = device.latest[spec.key]
            entity[name] = metric_property(spec, latest.value, latest.ts_ms)
        elif name == "dateObserved":
            entity[name] = {"type": "Property", "value": {"@type": "DateTime", "@value": value}}
        else:
            entity[name] = {"type": "Property", "value": value}
    if context_in_body:
        entity["@context"] = CORE_CONTEXT
    return entity
