"""Air-quality series for the 12 demo stations: the real Beijing hourly data replayed, or, without
../shared/data, a generated series with the same shape (diurnal cycle, multi-day smog episodes).

A replay reads each station's gzip CSV forward, one row at a time (bounded memory: one row held
per station), from `replay_from` on; past the file's end it starts again at its first row.
Missing values (`NA`) are left out of the message; an hour with nothing is not sent.
"""

from __future__ import annotations

import csv
import gzip
import math
import random
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TextIO

from cityops.kernel.clock import SHANGHAI

# a Beijing winter week with a red-alert smog episode (16-21 Dec 2016)
DEFAULT_REPLAY_FROM = datetime(2016, 12, 14, tzinfo=SHANGHAI)
_COMPASS = (
    *("N", "NNE", "NE", "ENE", "E", "ESE", "SE", "SSE"),
    *("S", "SSW", "SW", "WSW", "W", "WNW", "NW", "NNW"),
)

Values = dict[str, float]


def humidity(temp: float, dew: float) -> float:
    """Relative humidity (%) from air temperature and dew point (Magnus formula)."""

    def vapour(t: float) -> float:
        return math.exp(17.625 * t / (243.04 + t))

    return max(0.0, min(100.0, 100.0 * vapour(dew) / vapour(temp)))


def row_values(row: dict[str, str]) -> Values:
    """One CSV row as metric values, units as the air_quality type keeps them."""

    def num(key: str) -> float | None:
        text = row.get(key, "NA")
        if text in ("", "NA"):
            return None
        try:
            return float(text)
        except ValueError:
            return None

    out: Values = {}
    for key, metric, factor in (
        ("PM2.5", "pm25", 1.0),
        ("PM10", "pm10", 1.0),
        ("SO2", "so2", 1.0),
        ("NO2", "no2", 1.0),
        ("CO", "co", 0.001),  # µg/m³ in the data, mg/m³ kept
        ("O3", "o3", 1.0),
        ("TEMP", "temperature", 1.0),
        ("PRES", "pressure", 0.1),  # hPa → kPa
        ("WSPM", "wind_speed", 1.0),
    ):
        value = num(key)
        if value is not None:
            out[metric] = round(value * factor, 3)
    temp, dew = num("TEMP"), num("DEWP")
    if temp is not None and dew is not None:
        out["humidity"] = round(humidity(temp, dew))
    wd = row.get("wd", "NA")
    if wd in _COMPASS:
        out["wind_direction"] = _COMPASS.index(wd) * 22.5
    return out


def _row_hour(row: dict[str, str]) -> datetime:
    return datetime(
        int(row["year"]), int(row["month"]), int(row["day"]), int(row["hour"]), tzinfo=SHANGHAI
    ).astimezone(UTC)


class StationReplay:
    """The hourly rows of one station file, read forward as the simulated hours pass."""

    def __init__(self, path: Path, replay_from: datetime) -> None:
        self._path = path
        self._from = replay_from.astimezone(UTC)
        self._handle: TextIO | None = None
        self._rows: Iterator[dict[str, str]] = iter(())
        self._first: datetime | None = None
        self._offset = timedelta(0)  # data time = simulated time + offset (set on first read)
        self._current: tuple[datetime, Values] | None = None
        self._open(skip_to=self._from)

    def _open(self, skip_to: datetime | None) -> None:
        self.close()
        # held open while the replay reads forward, closed by close()
        self._handle = gzip.open(self._path, "rt", encoding="utf-8", newline="")  # noqa: SIM115
        self._rows = csv.DictReader(self._handle)
        self._current = None
        for row in self._rows:
            hour = _row_hour(row)
            self._first = self._first or hour
            if skip_to is None or hour >= skip_to:
                self._current = (hour, row_values(row))
                return

    def close(self) -> None:
        if self._handle is not None:
            self._handle.close()
            self._handle = None

    def values_at(self, sim_hour: datetime, sim_start: datetime) -> Values:
        """The values of the data hour that stands for the simulated hour."""
        if self._current is None:
            self._open(skip_to=None)
            if self._current is None:
                return {}
        want = self._from + (sim_hour - sim_start) + self._offset
        while self._current is not None and self._current[0] < want:
            row = next(self._rows, None)
            if row is None:  # the end of the file: start again from its first hour
                self._offset -= self._current[0] + timedelta(hours=1) - (self._first or want)
                self._open(skip_to=None)
                want = self._from + (sim_hour - sim_start) + self._offset
                continue
            self._current = (_row_hour(row), row_values(row))
        if self._current is None or self._current[0] != want:
            return {}
        return dict(self._current[1])


class GeneratedAir:
    """A plausible station series without the real data: a diurnal cycle and smog episodes of a
    few days (PM2.5 above 150 at their peak), the other pollutants following PM2.5."""

    def __init__(self, seed: int) -> None:
        rng = random.Random(seed)
        self._phase = rng.uniform(0, 2 * math.pi)
        self._scale = rng.uniform(0.8, 1.2)
        self._rng = rng

    def values_at(self, sim_hour: datetime, sim_start: datetime) -> Values:
        hours = (sim_hour - sim_start).total_seconds() / 3600
        local = sim_hour.astimezone(SHANGHAI).hour
        episode = max(0.0, math.sin(2 * math.pi * hours / 120 + self._phase)) ** 2
        diurnal = 1 + 0.25 * math.cos(2 * math.pi * (local - 22) / 24)
        noise = self._rng.gauss(1.0, 0.08)
        pm25 = max(3.0, (25 + 220 * episode) * diurnal * self._scale * noise)
        temp = 2 + 6 * math.sin(2 * math.pi * (local - 9) / 24) + self._rng.gauss(0, 0.5)
        return {
            "pm25": round(pm25, 1),
            "pm10": round(pm25 * 1.3 + 10, 1),
            "so2": round(6 + pm25 * 0.08, 1),
            "no2": round(25 + pm25 * 0.3, 1),
            "co": round(0.4 + pm25 * 0.012, 2),
            "o3": round(max(2.0, 45 - pm25 * 0.2 + 15 * math.sin(2 * math.pi * (local - 9) / 24))),
            "temperature": round(temp, 1),
            "pressure": round(102.4 + self._rng.gauss(0, 0.1), 2),
            "humidity": round(max(10.0, min(95.0, 35 + 45 * episode))),
            "wind_speed": round(max(0.0, 3.5 * (1 - episode) + self._rng.gauss(0, 0.4)), 1),
            "wind_direction": float(self._rng.choice(range(0, 360, 45))),
        }


class AirSource:
    """The series of each station code: replayed from `data_dir`, else generated."""

    def __init__(
        self,
        stations: dict[str, str],  # device code → UCI station name
        data_dir: Path | None,
        replay_from: datetime = DEFAULT_REPLAY_FROM,
    ) -> None:
        self.real = False
        self._series: dict[str, StationReplay | GeneratedAir] = {}
        folder = data_dir / "beijing_air_quality" if data_dir is not None else None
        for i, (code, station) in enumerate(sorted(stations.items())):
            found = sorted(folder.glob(f"PRSA_Data_{station}_*.csv.gz")) if folder else []
            if found:
                self._series[code] = StationReplay(found[0], replay_from)
                self.real = True
            else:
                self._series[code] = GeneratedAir(seed=1000 + i)

    def values_at(self, code: str, sim_hour: datetime, sim_start: datetime) -> Values:
        series = self._series.get(code)
        return {} if series is None else series.values_at(sim_hour, sim_start)

    def close(self) -> None:
        for series in self._series.values():
            if isinstance(series, StationReplay):
                series.close()
