"""NGSI-LD checked with a real client: the PyPI `ngsildclient` (Orange's NGSI-LD client) talks
to a live cityops server over HTTP and must read the entities, a near query, the temporal
values and an hourly aggregation that match the readings ingested.

ngsildclient 0.5.2 pins httpx<0.24 and rich<13, which cityops' own environment excludes
(httpx>=0.27, rich>=13), so it lives in a virtual environment of its own and runs as a
subprocess (tests/support/ngsild_client_run.py):

    python -m venv var/ngsildclient && var/ngsildclient/bin/pip install ngsildclient==0.5.2

(or point CITYOPS_NGSILD_PYTHON at such an interpreter). Without one this test is skipped and
says so; the server side is covered on every run by tests/integration/sensing/test_ngsi_ld_api.py.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from live_server import serve
from ngsi_ld_city import HOUR_MS, ORIGIN, PM25, NgsiCity, iso, seed_ngsi_city

from cityops.app import Platform, build_platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import SHANGHAI, FixedClock

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tests" / "support" / "ngsild_client_run.py"
AQ1 = "urn:ngsi-ld:AirQualityObserved:AQ-0001"
AQ2 = "urn:ngsi-ld:AirQualityObserved:AQ-0002"


@pytest.fixture(scope="module")
def client_python() -> str:
    chosen = os.environ.get("CITYOPS_NGSILD_PYTHON") or str(ROOT / "var/ngsildclient/bin/python")
    if not Path(chosen).exists():
        pytest.skip(
            "no interpreter with ngsildclient (its pins conflict with cityops' httpx and rich): "
            "python -m venv var/ngsildclient && var/ngsildclient/bin/pip install "
            "ngsildclient==0.5.2, or set CITYOPS_NGSILD_PYTHON"
        )
    return chosen


@pytest.fixture(scope="module")
def live(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[tuple[str, NgsiCity]]:
    from datetime import datetime

    path = tmp_path_factory.mktemp("ngsi_ld") / "cityops.db"
    shutil.copy(sqlite_template, path)
    settings = Settings(env="test", database_url=f"sqlite:///{path}")
    p: Platform = build_platform(
        settings, clock=FixedClock(datetime(2026, 11, 23, 9, 0, tzinfo=SHANGHAI)), migrate=False
    )
    city = seed_ngsi_city(p)
    with serve(p, name="ngsi-ld-uvicorn") as url:
        yield url, city
    p.close()


@pytest.fixture(scope="module")
def answers(
    client_python: str, live: tuple[str, NgsiCity], tmp_path_factory: pytest.TempPathFactory
) -> Any:
    url, city = live
    out = tmp_path_factory.mktemp("ngsildclient") / "answers.json"
    span = (iso(city.start_ms), iso(city.start_ms + 3 * HOUR_MS))
    run = subprocess.run(
        [client_python, str(SCRIPT), url, city.staff_token, str(out), *span],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-3000:]
    return json.loads(out.read_text(encoding="utf-8"))


def test_the_client_connects_lists_by_type_and_counts(answers: Any) -> None:
    assert answers["connected"] is True
    assert [e["id"] for e in answers["by_type"]] == [AQ1, AQ2]
    assert answers["count"] == 2
    first = answers["by_type"][0]
    assert first["pm25"]["value"] == PM25[-1]
    assert first["pm25"]["unitCode"] == "GQ"
    assert first["location"]["value"]["coordinates"] == list(ORIGIN)
    assert answers["by_type"][1]["pm25"]["value"] == 80.0
    assert answers["by_q"] == [AQ2]


def test_the_client_gets_one_entity_and_reads_refusals(answers: Any) -> None:
    one = answers["one"]
    assert one["id"] == AQ1
    assert one["type"] == "AirQualityObserved"
    assert one["pm10"]["value"] == 2 * PM25[-1]
    assert one["@context"].endswith("ngsi-ld-core-context.jsonld")
    assert answers["exists_missing"] is False
    kind, detail = answers["refused"]
    assert kind == "NgsiBadRequestDataError"
    assert "not supported" in detail


def test_a_near_query(answers: Any) -> None:
    assert answers["near"] == [AQ1]  # AQ-0002 is 1.5 km away


def test_temporal_values_and_an_hourly_aggregation(
    answers: Any, live: tuple[str, NgsiCity]
) -> None:
    _, city = live
    values = answers["temporal"]["pm25"]["values"]
    assert [v[0] for v in values] == PM25
    assert values[0][1] == iso(city.start_ms).replace("Z", ".000Z")
    by_id = {e["id"]: e["pm25"] for e in answers["aggregated"]}
    hours = [PM25[0:6], PM25[6:12], PM25[12:18]]
    assert [row[0] for row in by_id[AQ1]["avg"]] == [sum(h) / 6 for h in hours]
    assert [row[0] for row in by_id[AQ1]["min"]] == [h[0] for h in hours]
    assert [row[0] for row in by_id[AQ1]["max"]] == [h[-1] for h in hours]
    assert [row[0] for row in by_id[AQ1]["totalCount"]] == [6, 6, 6]
    assert by_id[AQ2]["avg"] == [
        [
            80.0,
            iso(city.start_ms).replace("Z", ".000Z"),
            iso(city.start_ms + HOUR_MS).replace("Z", ".000Z"),
        ]
    ]
