"""Floods through Open311 over HTTP on both databases: POSTs limited per api_key and per client
address, reads per address, with allowances set low through the CITYOPS_ settings. A refusal is
a 429 in the spec's error format (JSON and XML) with Retry-After, stores nothing, and leaves
other keys and other addresses alone."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import FixedClock

BASE = "/open311/v2"
MANHOLE = "C010102"
HOME = ("198.51.100.7", 40000)
AWAY = ("203.0.113.9", 40000)
FMTS = ["json", "xml"]


@pytest.fixture
def settings(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """The test settings, with the allowances read from the environment."""
    monkeypatch.setenv("CITYOPS_OPEN311_POSTS_PER_MINUTE_PER_KEY", "3")
    monkeypatch.setenv("CITYOPS_OPEN311_POSTS_PER_MINUTE_PER_IP", "5")
    monkeypatch.setenv("CITYOPS_OPEN311_READS_PER_MINUTE_PER_IP", "4")
    low = Settings(**{name: getattr(settings, name) for name in settings.model_fields_set})
    assert low.open311_posts_per_minute_per_key == 3
    return low


@pytest.fixture
def at(city: Platform) -> Iterator[Callable[[tuple[str, int]], TestClient]]:
    """A client calling from a given address (host, port)."""
    from cityops.web.app import create_app

    app = create_app(city)
    made: list[TestClient] = []

    def client(address: tuple[str, int]) -> TestClient:
        made.append(TestClient(app, client=address))
        return made[-1]

    yield client
    for c in made:
        c.close()


def errors(fmt: str, text: str) -> list[dict[str, str]]:
    if fmt == "json":
        return [{k: str(v) for k, v in e.items()} for e in json.loads(text)]
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "errors"
    return [{child.tag: child.text or "" for child in item} for item in root]


@pytest.fixture
def body(inside: tuple[float, float]) -> Callable[[str], dict[str, str]]:
    lat, lon = inside

    def make(api_key: str) -> dict[str, str]:
        return {
            "api_key": api_key,
            "service_code": MANHOLE,
            "lat": str(lat),
            "long": str(lon),
            "description": "湖滨路口污水井盖松动，车辆经过有响声",
        }

    return make


def assert_refused(fmt: str, r: Any, retry_after: int, word: str) -> None:
    assert r.status_code == 429, r.text
    assert r.headers["Retry-After"] == str(retry_after)
    assert r.headers["content-type"].startswith("application/json" if fmt == "json" else "text/xml")
    [error] = errors(fmt, r.text)
    assert error["code"] == "429"
    assert word in error["description"]
    assert f"{retry_after} seconds" in error["description"]


@pytest.mark.parametrize("fmt", FMTS)
def test_posts_over_a_keys_allowance_are_refused_and_store_nothing(
    at: Callable[[tuple[str, int]], TestClient],
    new_key: Callable[[str], str],
    body: Callable[[str], dict[str, str]],
    counts: Callable[[], tuple[int, int]],
    clock: FixedClock,
    fmt: str,
) -> None:
    flooder, neighbour = new_key("flooder"), new_key("neighbour")
    home, away = at(HOME), at(AWAY)
    url = f"{BASE}/requests.{fmt}"
    for _ in range(2):
        assert home.post(url, data=body(flooder)).status_code == 200
    assert away.post(url, data=body(flooder)).status_code == 200  # the key's third, elsewhere
    before = counts()
    assert before == (3, 3)

    refused = home.post(url, data=body(flooder))
    assert_refused(fmt, refused, 20, "api_key")  # 3 a minute: one back after 20 s
    assert_refused(fmt, away.post(url, data=body(flooder)), 20, "api_key")  # the key, anywhere
    assert counts() == before

    assert home.post(url, data=body(neighbour)).status_code == 200  # another key, same address
    clock.advance(timedelta(seconds=20))
    assert home.post(url, data=body(flooder)).status_code == 200
    assert counts() == (5, 5)


@pytest.mark.parametrize("fmt", FMTS)
def test_posts_over_an_addresses_allowance_are_refused_whatever_the_key(
    at: Callable[[tuple[str, int]], TestClient],
    new_key: Callable[[str], str],
    body: Callable[[str], dict[str, str]],
    counts: Callable[[], tuple[int, int]],
    fmt: str,
) -> None:
    keys = [new_key(f"partner-{i}") for i in range(3)]
    home, away = at(HOME), at(AWAY)
    url = f"{BASE}/requests.{fmt}"
    sent = [keys[0], keys[0], keys[1], keys[1], keys[2]]  # 5 from HOME, no key over its 3
    for key in sent:
        assert home.post(url, data=body(key)).status_code == 200
    before = counts()

    refused = home.post(url, data=body(keys[2]))
    assert_refused(fmt, refused, 12, "address")  # 5 a minute: one back after 12 s
    # a flood of bad keys from the address is refused before any key is looked at
    assert_refused(fmt, home.post(url, data=body("o311_not-a-key")), 12, "address")
    assert counts() == before

    assert away.post(url, data=body(keys[2])).status_code == 200  # another address
    assert counts() == (before[0] + 1, before[1] + 1)


@pytest.mark.parametrize("fmt", FMTS)
def test_reads_over_an_addresses_allowance_are_refused(
    at: Callable[[tuple[str, int]], TestClient],
    api_key: str,
    body: Callable[[str], dict[str, str]],
    clock: FixedClock,
    fmt: str,
) -> None:
    home, away = at(HOME), at(AWAY)
    reads = [
        f"{BASE}/services.{fmt}",
        f"{BASE}/services/{MANHOLE}.{fmt}",
        f"{BASE}/requests.{fmt}",
        f"{BASE}/discovery.{fmt}",
    ]
    for url in reads:
        assert home.get(url).status_code == 200, url
    for url in [f"{BASE}/requests/C0000.{fmt}", f"{BASE}/servicerequestupdates.{fmt}"]:
        assert_refused(fmt, home.get(url), 15, "address")  # 4 a minute: one back after 15 s

    assert away.get(f"{BASE}/services.{fmt}").status_code == 200  # another address
    assert home.post(f"{BASE}/requests.{fmt}", data=body(api_key)).status_code == 200  # POSTs
    clock.advance(timedelta(seconds=15))
    assert home.get(f"{BASE}/services.{fmt}").status_code == 200
