"""The device types cityops ships (`device_types.yaml`), read into `DeviceType`s."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from functools import cache
from importlib import resources
from typing import Any

import yaml

from cityops.sensing.model import MetricSpec


@dataclass(frozen=True)
class DeviceType:
    code: str
    name_zh: str
    name_en: str
    sdm_type: str
    metrics: tuple[MetricSpec, ...]
    raw_retention_days: int = 90
    rollup_retention_days: int = 1825

    def spec_map(self) -> dict[str, MetricSpec]:
        return {spec.key: spec for spec in self.metrics}

    @property
    def shortest_interval(self) -> timedelta:
        return min((spec.interval for spec in self.metrics), default=timedelta(minutes=1))


def metric_from_dict(data: dict[str, Any]) -> MetricSpec:
    return MetricSpec(
        key=str(data["key"]),
        name_zh=str(data.get("name_zh", data["key"])),
        name_en=str(data.get("name_en", data["key"])),
        unit=str(data.get("unit", "")),
        min_value=None if data.get("min") is None else float(data["min"]),
        max_value=None if data.get("max") is None else float(data["max"]),
        precision=int(data.get("precision", 2)),
        interval=timedelta(seconds=int(data.get("interval", 60))),
        sdm=str(data.get("sdm", "")),
    )


def metric_to_dict(spec: MetricSpec) -> dict[str, Any]:
    return {
        "key": spec.key,
        "name_zh": spec.name_zh,
        "name_en": spec.name_en,
        "unit": spec.unit,
        "min": spec.min_value,
        "max": spec.max_value,
        "precision": spec.precision,
        "interval": int(spec.interval.total_seconds()),
        "sdm": spec.sdm,
    }


def type_from_dict(data: dict[str, Any]) -> DeviceType:
    return DeviceType(
        code=str(data["code"]),
        name_zh=str(data["name_zh"]),
        name_en=str(data["name_en"]),
        sdm_type=str(data.get("sdm_type", "")),
        metrics=tuple(metric_from_dict(m) for m in data["metrics"]),
        raw_retention_days=int(data.get("raw_days", 90)),
        rollup_retention_days=int(data.get("rollup_days", 1825)),
    )


def shipped_types() -> list[DeviceType]:
    """The device types shipped in device_types.yaml (read once per process: every platform
    seeds them, and the types are frozen)."""
    return list(_shipped_types())


@cache
def _shipped_types() -> tuple[DeviceType, ...]:
    text = resources.files("cityops.sensing").joinpath("device_types.yaml").read_text("utf-8")
    return tuple(type_from_dict(item) for item in yaml.safe_load(text))
