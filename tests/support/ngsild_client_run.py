"""Run by the interpreter of a separate virtual environment that holds the PyPI `ngsildclient`
(0.5.2 pins httpx<0.24 and rich<13, which cityops' own environment cannot hold): it talks to a
live cityops server the way a broker client does and writes what it got, as JSON, to a file.

    python ngsild_client_run.py <base URL> <bearer token> <out.json> <timeAt> <endTimeAt>

It imports nothing of cityops; tests/contract/test_ngsi_ld.py checks the answers.
"""

from __future__ import annotations

import json
import sys
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from ngsildclient import Client, Entity, NgsiContextBrokerError
from ngsildclient.api.constants import AggrMethod
from ngsildclient.api.helper.temporal import TemporalQuery


class Bearer(requests.auth.AuthBase):
    def __init__(self, token: str) -> None:
        self.token = token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token}"
        return r


def main() -> None:
    base, token, out, time_at, end_time_at = sys.argv[1:6]
    url = urlsplit(base)
    client = Client(
        hostname=url.hostname or "127.0.0.1",
        port=url.port or 80,
        custom_auth=Bearer(token),
        verbose=False,
    )
    found: dict[str, object] = {"connected": client.is_connected()}
    # list by type: the client counts first (count=true, limit=0), then pages with limit=100
    entities = client.query(type="AirQualityObserved")
    found["by_type"] = [e.to_dict() for e in entities]
    found["count"] = client.count(type="AirQualityObserved")
    found["by_q"] = [e.id for e in client.query(type="AirQualityObserved", q="pm25>50")]
    try:
        client.query(type="AirQualityObserved", q="name~=东.*")
        found["refused"] = None
    except NgsiContextBrokerError as refused:  # the client maps the ProblemDetails type
        found["refused"] = [type(refused).__name__, refused.problemdetails.detail]
    found["one"] = client.get("urn:ngsi-ld:AirQualityObserved:AQ-0001").to_dict()
    found["exists_missing"] = client.exists("urn:ngsi-ld:AirQualityObserved:NOPE")
    # a near query: this client version sends a geo query as `geoQ`, which the NGSI-LD
    # GET binding does not define, so it goes through the client's own session with the
    # standard parameters, and its Entity model reads the answer
    near = client.session.get(
        f"{client.url}/ngsi-ld/v1/entities",
        params={
            "type": "AirQualityObserved",
            "georel": "near;maxDistance==1000",
            "geometry": "Point",
            "coordinates": "[120.121,30.251]",
        },
        headers={"Accept": "application/ld+json"},
    )
    near.raise_for_status()
    found["near"] = [Entity.from_dict(e).id for e in near.json()]
    # temporal: simplified representation (options=temporalValues) and an aggregation
    found["temporal"] = client.temporal.get(
        "urn:ngsi-ld:AirQualityObserved:AQ-0001", attrs=["pm25"]
    )
    aggregated = client.temporal.aggregate(
        type="AirQualityObserved",
        attrs=["pm25"],
        tq=TemporalQuery().between(time_at, end_time_at),
        methods=[
            AggrMethod.AVERAGE,
            AggrMethod.MINIMUM,
            AggrMethod.MAXIMUM,
            AggrMethod.TOTAL_COUNT,
        ],
        period=timedelta(hours=1),
    )
    found["aggregated"] = aggregated.result
    client.close()
    with open(out, "w", encoding="utf-8") as f:
        json.dump(found, f, ensure_ascii=False)


if __name__ == "__main__":
    main()
