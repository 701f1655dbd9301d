"""Alarms follow the case scope (sensing/scoping.py), on SQLite and PostgreSQL, through HTTP: a
scoped user lists only the alarms of the devices in their scope, is answered 404 for another's
alarm and its actions (as for a case outside the scope), and the live event stream sends them
only those alarms' frames; the city-wide roles see every alarm as before.

The city: device X stands in street X (湖滨) and is maintained by CGJ; device Y stands in street
Y (文新) and is owned by SWJ. Each raises one alarm of the PM2.5 rule."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest
from case_city import GRID, OTHER_GRID, OTHER_STREET, PASSWORD, STREET, City, build_city
from fastapi.testclient import TestClient
from live_server import serve
from sse import SseEvent, StreamReader

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser
from cityops.sensing import alarm_store
from cityops.sensing.public import AlarmFilter, NewDevice
from cityops.web.app import create_app

DEVICE_X, DEVICE_Y = "AQ-SCOPE-X", "AQ-SCOPE-Y"
BOTH = {DEVICE_X, DEVICE_Y}
RULE: dict[str, Any] = {
    "code": "scope-pm25",
    "name": "PM2.5 high",
    "severity": "major",
    "scope": {"device_type": "air_quality"},
    "when": {"threshold": {"metric": "pm25", "op": ">", "value": 150}},
}
# who sees which device's alarms: the case scope's rule for each role
SEES = {
    "disp": BOTH,  # city-wide roles
    "op": BOTH,
    "lead": BOTH,
    "boss": BOTH,
    "disp_x": {DEVICE_X},  # a dispatcher bound to street X: its areas
    "insp": {DEVICE_X},  # inspectors: their areas
    "insp_west": {DEVICE_Y},
    "h_cgj": {DEVICE_X},  # handlers: the devices their department maintains …
    "h_water": {DEVICE_Y},  # … or owns
    "h_street": {DEVICE_X},  # a street office: its place (属地)
}


@pytest.fixture
def city(platform: Platform) -> Iterator[City]:
    with TestClient(create_app(platform)) as client:
        built = build_city(platform, client)
        with platform.uow() as uow:
            for username, roles, areas in [
                ("disp_x", ["dispatcher"], (STREET,)),
                ("intg", ["integration"], ()),
            ]:
                platform.org.create_user(
                    uow,
                    SYSTEM,
                    NewUser(
                        username=username,
                        password=PASSWORD,
                        display_name=username,
                        roles=roles,
                        area_codes=areas,
                    ),
                )
            platform.alarms.save_rule(uow, SYSTEM, RULE)
        yield built


def _register(city: City, code: str, area_code: str, *, owner: str = "", om: str = "") -> str:
    lon, lat = city.point_in(area_code)
    p = city.platform
    new = NewDevice(code, "air_quality", lon, lat, owner_department=owner, om_department=om)
    with p.uow() as uow:
        return p.sensing.register_device(uow.session, SYSTEM, new).token


def _raise(city: City, token: str, pm25: float = 300) -> None:
    p = city.platform
    at = p.clock.now() - timedelta(minutes=5)
    body = json.dumps({"ts": int(at.timestamp() * 1000), "values": {"pm25": pm25}}).encode()
    p.sensing.ingestion.from_http(token, body).committed.result(timeout=10)
    p.alarms.runner.process_readings()


@pytest.fixture
def alarms(city: City) -> dict[str, int]:
    """Device code → the id of its active alarm."""
    _raise(city, _register(city, DEVICE_X, GRID, om="CGJ"))
    _raise(city, _register(city, DEVICE_Y, OTHER_GRID, owner="SWJ"))
    with city.platform.read() as s:
        found = city.platform.alarms.list_alarms(s, SYSTEM, AlarmFilter(active=True))[0]
    ids = {a.device_code: a.id for a in found}
    assert set(ids) == BOTH
    return ids


def _listed(city: City, user: str, **params: Any) -> set[str]:
    r = city.client.get("/api/v1/alarms", params=params, headers=city.auth(user))
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["total"] == len(page["items"])
    return {a["device_code"] for a in page["items"]}


@pytest.mark.parametrize("user", sorted(SEES))
def test_each_role_lists_the_alarms_of_its_scope(
    city: City, alarms: dict[str, int], user: str
) -> None:
    assert _listed(city, user) == SEES[user]
    assert _listed(city, user, active=True, severity="major") == SEES[user]  # the board's counts
    for device, alarm_id in alarms.items():
        detail = city.client.get(f"/api/v1/alarms/{alarm_id}", headers=city.auth(user))
        assert detail.status_code == (200 if device in SEES[user] else 404), (device, detail.text)


def test_an_integration_token_sees_every_alarm(city: City, alarms: dict[str, int]) -> None:
    assert _listed(city, "intg") == BOTH


def test_out_of_scope_alarms_are_not_found_by_their_actions(
    city: City, alarms: dict[str, int]
) -> None:
    """The dispatcher of street X may handle alarms, but Y's answers as one that does not
    exist (the case API's 404 case_not_found) and is left as it was."""
    other = f"/api/v1/alarms/{alarms[DEVICE_Y]}"
    missing = city.client.get("/api/v1/alarms/999999", headers=city.auth("disp_x")).json()
    for method, path, body in [
        ("GET", "", None),
        ("POST", "/ack", None),
        ("POST", "/clear", {"note": "x"}),
        ("POST", "/assign", {"assignee": "王工"}),
        ("POST", "/comments", {"text": "已通知"}),
    ]:
        r = city.client.request(method, other + path, json=body, headers=city.auth("disp_x"))
        assert r.status_code == 404, (path, r.text)
        assert r.json()["error"]["code"] == missing["error"]["code"] == "alarm_not_found"
    seen = city.client.get(other, headers=city.auth("disp")).json()
    assert (seen["acked"], seen["active"], seen["assignee"]) == (False, True, "")
    assert [h["action"] for h in seen["history"]] == ["raised"]
    # their own street's alarm they handle
    own = f"/api/v1/alarms/{alarms[DEVICE_X]}"
    assert city.client.post(f"{own}/ack", headers=city.auth("disp_x")).json()["acked"] is True
    # a handler reads his alarms, acts on none (403 before the scope is looked at)
    assert city.client.post(f"{own}/ack", headers=city.auth("h_cgj")).status_code == 403
    assert city.client.post(f"{other}/ack", headers=city.auth("h_cgj")).status_code == 403


def test_alarms_without_a_device_are_placed_by_their_area(city: City) -> None:
    """A group of devices silent together in street Y: seen by Y's inspector and the city-wide
    roles; a group under one gateway (no area) by the city-wide roles only."""
    now = city.platform.clock.now()
    with city.platform.uow() as uow:
        for key, area in [("group:area:" + OTHER_STREET, OTHER_STREET), ("group:gateway:GW1", "")]:
            alarm_store.insert_alarm(
                uow.session,
                {
                    "kind": "group",
                    "group_key": key,
                    "area_code": area,
                    "severity": "minor",
                    "title": key,
                    "active": True,
                    "acked": False,
                    "first_at": now,
                    "last_at": now,
                    "detail": {"key": key, "members": ["A", "B"]},
                },
            )

    def groups(user: str) -> set[str]:
        r = city.client.get("/api/v1/alarms", params={"kind": "group"}, headers=city.auth(user))
        return {a["group_key"] for a in r.json()["items"]}

    assert groups("disp") == {"group:area:" + OTHER_STREET, "group:gateway:GW1"}
    assert groups("insp_west") == {"group:area:" + OTHER_STREET}
    assert groups("insp") == set()
    assert groups("h_water") == set()  # a department's devices, not a place


# --- the live event stream ------------------------------------------------------------------


def _devices(events: list[SseEvent]) -> list[str]:
    return [e.data["device_code"] for e in events if e.event.startswith("sensing.alarm_")]


def test_the_stream_sends_only_the_alarm_frames_in_scope(city: City) -> None:
    p = city.platform
    token_x = _register(city, DEVICE_X, GRID, om="CGJ")
    token_y = _register(city, DEVICE_Y, OTHER_GRID, owner="SWJ")
    with serve(p) as base:
        readers = {
            user: StreamReader(
                f"{base}/api/v1/events",
                city.auth(user),
                {"topics": "alarm", "max_seconds": 15},
            ).start()
            for user in ("disp", "disp_x", "insp", "h_cgj", "h_water")
        }
        _raise(city, token_y)  # Y first: a frame a scoped reader must skip comes before its own
        _raise(city, token_x)
        readers["disp"].wait_for(lambda es: set(_devices(es)) == BOTH)
        for user in ("disp_x", "insp", "h_cgj", "h_water"):
            readers[user].wait_for(lambda es, u=user: set(_devices(es)) >= SEES[u])
        time.sleep(0.3)  # a frame wrongly let through would have come with the same batch
        for user, reader in readers.items():
            assert set(_devices(reader.events)) == SEES[user], user
        # the replay of a reconnect applies the same scope
        for user in ("insp", "h_water", "disp"):
            replay = httpx.get(
                f"{base}/api/v1/events",
                params={"max_seconds": 0, "last_event_id": 0, "topics": "alarm"},
                headers=city.auth(user),
            )
            assert replay.status_code == 200
            assert {d for d in BOTH if d in replay.text} == SEES[user], user
