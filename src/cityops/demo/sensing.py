"""The demo's sensing (物联感知): devices of every shipped type placed on the demo city, their
O&M units (运维单位), and the demo rule set, saved through the rules service.

The 12 Beijing air-quality stations stand on points of the city's streets (their hourly series is
replayed onto them by the simulator); the other devices are spread over the grids. Every device
gets the demo device password (MQTT and HJ 212) and an owner department where the demo has it.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from cityops.app import Platform
from cityops.geo.public import AreaLevel
from cityops.kernel.actor import SYSTEM
from cityops.kernel.errors import ValidationFailed
from cityops.org.public import DepartmentKind, NewDepartment
from cityops.sensing.public import NewDevice

DEVICE_PASSWORD = "cityops-device"

# the UCI stations of ../shared/data/beijing_air_quality, in the order of their files
BEIJING_STATIONS: tuple[tuple[str, str], ...] = (
    ("Aotizhongxin", "奥体中心"),
    ("Changping", "昌平"),
    ("Dingling", "定陵"),
    ("Dongsi", "东四"),
    ("Guanyuan", "官园"),
    ("Gucheng", "古城"),
    ("Huairou", "怀柔"),
    ("Nongzhanguan", "农展馆"),
    ("Shunyi", "顺义"),
    ("Tiantan", "天坛"),
    ("Wanliu", "万柳"),
    ("Wanshouxiguan", "万寿西宫"),
)

# type → (code prefix, how many, owner department, O&M unit)
DEVICE_MIX: dict[str, tuple[str, int, str, str]] = {
    "water_quality": ("WQ", 4, "HBJ", "YWGZ"),
    "manhole_level": ("MH", 240, "SWJ", "YWPS"),
    "waterlogging": ("WL", 40, "SWJ", "YWPS"),
    "traffic_flow": ("TF", 60, "JJZD", "YWGZ"),
    "street_light": ("SL", 120, "CGJ", "YWLD"),
    "bin_fill": ("BIN", 80, "CGJ", "YWHW"),
    "smoke_detector": ("SMK", 40, "XFJY", "YWGZ"),
    "access_control": ("AC", 24, "ZJJ", "YWGZ"),
    "elevator": ("EL", 24, "SJJ", "YWGZ"),
    "gas_detector": ("GAS", 40, "RQGS", "YWGZ"),
    "gas_pressure": ("GP", 12, "RQGS", "YWGZ"),
    "water_supply": ("WS", 16, "GSGS", "YWGZ"),
    "heating_station": ("HS", 8, "ZJJ", "YWGZ"),
    "bridge_monitor": ("BR", 6, "CGJ", "YWGZ"),
    "noise_monitor": ("NZ", 12, "HBJ", "YWGZ"),
    "parking_space": ("PK", 120, "JTJ", "YWGZ"),
    "drainage_pump": ("PU", 16, "SWJ", "YWPS"),
    "rain_gauge": ("RG", 12, "SWJ", "YWPS"),
}
AIR_OWNER, AIR_OM = "HBJ", "YWGZ"

OM_UNITS: tuple[tuple[str, str], ...] = (
    ("YWGZ", "物联感知设备运维中心"),
    ("YWPS", "排水设施运维公司"),
    ("YWLD", "路灯运维公司"),
    ("YWHW", "环卫设施运维公司"),
)


def station_code(station: str) -> str:
    return f"AQ-{station.upper()}"


@dataclass(frozen=True)
class SensingSummary:
    devices: dict[str, int]  # type → devices registered
    rules: list[str]


def seed_demo_sensing(
    platform: Platform, *, seed: int = 2026, scale: float = 1.0
) -> SensingSummary:
    """Types, O&M units, devices and rules. `scale` shrinks the counts of the spread devices
    (never below 4 of a type); the 12 stations are always there."""
    rng = random.Random(seed)
    with platform.uow() as uow:
        platform.sensing.seed_types(uow.session)
    _ensure_om_units(platform)
    with platform.read() as s:
        known = {d.code for d in platform.org.list_departments(s)}
        streets = platform.geo.list_areas(s, AreaLevel.street)
        cells = (
            platform.geo.list_areas(s, AreaLevel.grid)
            or platform.geo.list_areas(s, AreaLevel.community)
            or streets
        )
        if not streets:
            streets = cells
        points = {a.code: platform.geo.representative_point(s, a.code) for a in streets + cells}
    counts: Counter[str] = Counter()

    def owner(code: str) -> str:
        return code if code in known else ""

    with platform.uow() as uow:
        for i, (station, name_zh) in enumerate(BEIJING_STATIONS):
            street = streets[i % len(streets)]
            lon, lat = _near(platform, uow.session, points[street.code], street.code, rng, i > 0)
            _register(
                platform,
                uow.session,
                NewDevice(
                    code=station_code(station),
                    type_code="air_quality",
                    lon=lon,
                    lat=lat,
                    name=f"{name_zh}空气质量监测站",
                    owner_department=owner(AIR_OWNER),
                    om_department=AIR_OM,
                ),
            )
            counts["air_quality"] += 1
        for type_code, (prefix, n, owner_code, om) in DEVICE_MIX.items():
            for j in range(max(4, round(n * scale))):
                cell = rng.choice(cells)
                lon, lat = _near(platform, uow.session, points[cell.code], cell.code, rng, True)
                _register(
                    platform,
                    uow.session,
                    NewDevice(
                        code=f"{prefix}-{j + 1:04d}",
                        type_code=type_code,
                        lon=lon,
                        lat=lat,
                        name=f"{cell.name} {prefix}-{j + 1:04d}",
                        owner_department=owner(owner_code),
                        om_department=om,
                    ),
                )
                counts[type_code] += 1
    rules = demo_rules()
    with platform.uow() as uow:
        for body in rules:
            platform.alarms.save_rule(uow, SYSTEM, body)
    return SensingSummary(dict(counts), [str(r["code"]) for r in rules])


def _register(platform: Platform, session: Any, new: NewDevice) -> None:
    platform.sensing.register_device(session, SYSTEM, new)
    platform.sensing.set_password(session, SYSTEM, new.code, DEVICE_PASSWORD)


def _near(
    platform: Platform,
    session: Any,
    point: tuple[float, float],
    area_code: str,
    rng: random.Random,
    jitter: bool,
) -> tuple[float, float]:
    """A point near the area's representative point that still lies in the area (else the
    representative point itself)."""
    if not jitter:
        return point
    for _ in range(4):
        lon = point[0] + rng.uniform(-0.0015, 0.0015)
        lat = point[1] + rng.uniform(-0.0012, 0.0012)
        try:
            chain = platform.geo.locate(session, lon, lat)
        except ValidationFailed:
            continue
        if any(a.code == area_code for a in chain.areas):
            return lon, lat
    return point


def _ensure_om_units(platform: Platform) -> None:
    with platform.read() as s:
        known = {d.code for d in platform.org.list_departments(s)}
    with platform.uow() as uow:
        for code, name in OM_UNITS:
            if code not in known:
                platform.org.create_department(
                    uow, SYSTEM, NewDepartment(code, name, DepartmentKind.company)
                )


def _battery_rule(type_code: str) -> dict[str, Any]:
    return {
        "code": f"battery-low-{type_code.replace('_', '-')}",
        "name": "电量低 Battery low",
        "severity": "minor",
        "scope": {"device_type": type_code},
        "when": {"threshold": {"metric": "battery", "op": "<", "value": 20}},
        "clear_when": {"threshold": {"metric": "battery", "op": ">", "value": 50}},
        "fault": "battery_low",
    }


def demo_rules() -> list[dict[str, Any]]:
    """The demo rule set (docs/sensing/rules.md's format as dicts)."""
    rules: list[dict[str, Any]] = [
        {
            "code": "pm25-heavy",
            "name": "PM2.5 重度污染 Heavy PM2.5",
            "severity": "major",
            "scope": {"device_type": "air_quality"},
            "when": {"threshold": {"metric": "pm25", "op": ">", "value": 115}},
            "for": "2h",
            "clear_when": {"threshold": {"metric": "pm25", "op": "<", "value": 75}},
            "clear_for": "1h",
        },
        _case_rule(
            "manhole-overflow",
            "窨井液位超限 Manhole level high",
            "manhole_level",
            {"threshold": {"metric": "level", "op": ">", "value": 150}},
            {"threshold": {"metric": "level", "op": "<", "value": 100}},
            "10m",
            "E050302",  # 排水管道冒溢
        ),
        _case_rule(
            "waterlogging-deep",
            "道路积水 Road waterlogging",
            "waterlogging",
            {"threshold": {"metric": "depth", "op": ">", "value": 15}},
            {"threshold": {"metric": "depth", "op": "<", "value": 5}},
            "5m",
            "E0502",  # 道路积水
        ),
        _case_rule(
            "bin-full",
            "垃圾桶满溢 Bin full",
            "bin_fill",
            {"threshold": {"metric": "fill", "op": ">", "value": 90}},
            {"threshold": {"metric": "fill", "op": "<", "value": 50}},
            "",
            "E010103",  # 垃圾满溢
            severity="minor",
        ),
        _case_rule(
            "smoke-alarm",
            "烟感报警 Smoke",
            "smoke_detector",
            {"threshold": {"metric": "smoke", "op": ">", "value": 10}},
            {"threshold": {"metric": "smoke", "op": "<", "value": 2}},
            "",
            "E0504",  # 火灾
            severity="critical",
        ),
        _case_rule(
            "gas-leak",
            "燃气泄漏 Gas leak",
            "gas_detector",
            {"threshold": {"metric": "methane", "op": ">=", "value": 20}},
            {"threshold": {"metric": "methane", "op": "<", "value": 5}},
            "",
            "E050303",  # 燃气泄漏
            severity="critical",
        ),
        _case_rule(
            "manhole-cover",
            "井盖移位 Manhole cover displaced",
            "manhole_level",
            {"threshold": {"metric": "tilt", "op": ">", "value": 15}},
            {"threshold": {"metric": "tilt", "op": "<", "value": 5}},
            "",
            "C010103",  # 雨水井盖
        ),
        _case_rule(
            "elevator-trapped",
            "电梯困人 Passenger trapped",
            "elevator",
            {"threshold": {"metric": "trapped", "op": ">=", "value": 1}},
            {"threshold": {"metric": "trapped", "op": "<", "value": 1}},
            "",
            "A010104",  # 电梯故障
            severity="critical",
        ),
        {
            "code": "traffic-no-data",
            "name": "检测器无数据 Detector silent",
            "severity": "minor",
            "scope": {"device_type": "traffic_flow"},
            "when": {"no_data": {"intervals": 10}},
            "fault": "offline",
        },
        {
            "code": "manhole-stuck",
            "name": "液位卡值 Level stuck",
            "severity": "minor",
            "scope": {"device_type": "manhole_level"},
            "when": {"unchanged": {"metric": "level"}},
            "for": "30m",
            "fault": "stuck",
        },
    ]
    return rules + [
        _battery_rule(t)
        for t in (
            "manhole_level",
            "waterlogging",
            "bin_fill",
            "smoke_detector",
            "gas_detector",
            "parking_space",
        )
    ]


def _case_rule(
    code: str,
    name: str,
    type_code: str,
    when: Mapping[str, Any],
    clear: Mapping[str, Any],
    hold: str,
    category: str,
    *,
    severity: str = "major",
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "code": code,
        "name": name,
        "severity": severity,
        "scope": {"device_type": type_code},
        "when": dict(when),
        "clear_when": dict(clear),
        "case": {"open": True, "category": category},
    }
    if hold:
        body["for"] = hold
    return body
