"""HJ 212-2017 codes in our words: pollutant codes (污染物编码) to metric keys, command codes (CN)
of data uploads to the kind of value they carry, and data flags (数据标记).

The pollutant codes are those of HJ 212-2017 (a… for air, w… for water); the HJ/T 212-2005 codes
(three digits, `B01`…) are not mapped: a frame using them is read, and its codes are reported as
unmapped.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Pollutant:
    """One HJ 212-2017 pollutant code, the metric key it becomes, its name and usual unit."""

    code: str
    metric: str
    name_zh: str
    unit: str


POLLUTANTS: dict[str, Pollutant] = {
    p.code: p
    for p in (
        # air (环境空气)
        Pollutant("a34002", "pm10", "PM10", "µg/m³"),
        Pollutant("a34004", "pm25", "PM2.5", "µg/m³"),
        Pollutant("a34001", "tsp", "总悬浮颗粒物", "µg/m³"),
        Pollutant("a21026", "so2", "二氧化硫", "µg/m³"),
        Pollutant("a21004", "no2", "二氧化氮", "µg/m³"),
        Pollutant("a21005", "co", "一氧化碳", "mg/m³"),
        Pollutant("a05024", "o3", "臭氧", "µg/m³"),
        Pollutant("a01001", "temperature", "温度", "°C"),
        Pollutant("a01002", "humidity", "湿度", "%"),
        Pollutant("a01006", "pressure", "气压", "kPa"),
        Pollutant("a01007", "wind_speed", "风速", "m/s"),
        Pollutant("a01008", "wind_direction", "风向", "°"),
        # water (地表水)
        Pollutant("w01001", "ph", "pH 值", ""),
        Pollutant("w01009", "do", "溶解氧", "mg/L"),
        Pollutant("w01014", "conductivity", "电导率", "µS/cm"),
        Pollutant("w01003", "turbidity", "浊度", "NTU"),
        Pollutant("w21003", "nh3n", "氨氮", "mg/L"),
        Pollutant("w01018", "cod", "化学需氧量", "mg/L"),
        Pollutant("w01010", "water_temperature", "水温", "°C"),
        Pollutant("w01019", "permanganate_index", "高锰酸盐指数", "mg/L"),
        Pollutant("w21011", "total_phosphorus", "总磷", "mg/L"),
        Pollutant("w21001", "total_nitrogen", "总氮", "mg/L"),
    )
}


class DataKind(StrEnum):
    """What a data upload's values are, by its CN (命令编码)."""

    realtime = "realtime"  # 2011 实时数据: the value is `-Rtd`
    minute = "minute"  # 2051 分钟数据: the value is `-Avg`
    hour = "hour"  # 2061 小时数据
    day = "day"  # 2031 日数据


DATA_COMMANDS: dict[str, DataKind] = {
    "2011": DataKind.realtime,
    "2051": DataKind.minute,
    "2061": DataKind.hour,
    "2031": DataKind.day,
}

VALUE_SUFFIX: dict[DataKind, str] = {
    DataKind.realtime: "Rtd",
    DataKind.minute: "Avg",
    DataKind.hour: "Avg",
    DataKind.day: "Avg",
}


class DataFlag(StrEnum):
    """A value's data flag (数据标记). Only `N` is valid data; the others are kept and counted."""

    normal = "N"  # 在线监控（监测）仪器仪表工作正常
    stopped = "F"  # 停运
    maintenance = "M"  # 维护
    set_by_hand = "S"  # 手工输入的设定值
    fault = "D"  # 故障
    calibration = "C"  # 校准
    over_range = "T"  # 超测上限
    comms = "B"  # 通讯异常


def metric_for(code: str) -> str | None:
    """The metric key of a pollutant code, or None when the code is not mapped."""
    pollutant = POLLUTANTS.get(code)
    return pollutant.metric if pollutant else None
