"""Open311 GeoReport v2 through HTTP on both databases: keys from the CLI, POST a request, read
it back by id, token and list, updates; 403/400/404 in the spec's format, nothing half-stored."""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.cases.public import (
    ActionCommand,
    CaseAction,
    CaseFilter,
    CaseSource,
    Satisfaction,
)
from cityops.kernel.actor import Actor, Role

MANHOLE = "C010102"
OPERATOR = Actor(user_id=None, username="op-test", roles=frozenset({Role.operator}))
BASE = "/open311/v2"


def parse(fmt: str, text: str) -> list[dict[str, Any]]:
    """A list document (requests, errors, updates) as a list of flat dicts."""
    if fmt == "json":
        data: list[dict[str, Any]] = json.loads(text)
        return data
    root = ET.fromstring(text.encode("utf-8"))
    return [{child.tag: child.text or "" for child in item} for item in root]


def post(api: TestClient, fmt: str, body: dict[str, Any], *, as_json: bool = False) -> Any:
    if as_json:
        return api.post(f"{BASE}/requests.{fmt}", json=body)
    return api.post(f"{BASE}/requests.{fmt}", data=body)


@pytest.mark.parametrize(("fmt", "as_json"), [("json", False), ("xml", False), ("json", True)])
def test_a_request_becomes_an_open311_case_and_reads_back(
    api: TestClient, city: Platform, body: dict[str, Any], fmt: str, as_json: bool
) -> None:
    if as_json:
        body = {**body, "attribute": {"appeal_type": "投诉"}}
        del body["attribute[appeal_type]"]
    r = post(api, fmt, body, as_json=as_json)
    assert r.status_code == 200, r.text
    [receipt] = parse(fmt, r.text)
    number, token = receipt["service_request_id"], receipt["token"]
    assert number.startswith("C2026")
    assert token
    assert "受理" in receipt["service_notice"]

    with city.read() as s:
        page = city.cases.list_cases(s, OPERATOR, CaseFilter(source=CaseSource.open311), 1, 10)
    [case] = page.items
    assert case.number == number
    assert case.tracking_code == token
    assert case.created_by == "open311:partner-app"
    assert case.title == "投诉 · 污水井盖"
    assert case.reporter_name == "张三"
    assert case.suggested_department is not None
    assert case.suggested_department.code == "SWJ"

    one = api.get(f"{BASE}/requests/{number}.{fmt}")
    assert one.status_code == 200
    [req] = parse(fmt, one.text)
    assert req["service_request_id"] == number
    assert req["status"] == "open"
    assert req["service_code"] == MANHOLE
    assert req["service_name"] == "污水井盖"
    assert req["requested_datetime"] == "2026-11-23T09:00:00+08:00"
    assert req["agency_responsible"] == "水务局"
    for secret in ("13812345678", "138****5678", "张三"):
        assert secret not in one.text

    by_token = api.get(f"{BASE}/tokens/{token}.{fmt}")
    assert by_token.status_code == 200
    assert parse(fmt, by_token.text) == [{"service_request_id": number, "token": token}]


def test_list_filters_by_status_code_and_dates(
    api: TestClient, city: Platform, body: dict[str, Any], clock: Any
) -> None:
    first = parse("json", post(api, "json", body).text)[0]["service_request_id"]
    clock.advance(timedelta(days=2))
    second = parse("json", post(api, "json", body).text)[0]["service_request_id"]
    with city.read() as s:
        case = next(
            c
            for c in city.cases.list_cases(s, OPERATOR, CaseFilter(q=first), 1, 5).items
            if c.number == first
        )
    with city.uow() as uow:
        city.cases.act(
            uow,
            OPERATOR,
            case.id,
            CaseAction.reject,
            ActionCommand(version=case.version, reason="不属于受理范围"),
        )

    def ids(query: str) -> list[str]:
        r = api.get(f"{BASE}/requests.json?{query}")
        assert r.status_code == 200, r.text
        return [x["service_request_id"] for x in r.json()]

    assert ids("") == [second, first]  # newest first, default window: the last 90 days
    assert ids("status=open") == [second]
    assert ids("status=closed") == [first]
    assert ids("status=open&status=closed") == [second, first]
    assert ids("status=open,closed") == [second, first]
    assert ids("start_date=2026-11-24T00:00:00%2B08:00") == [second]
    assert ids("end_date=2026-11-23T12:00:00Z") == [first]
    assert ids("start_date=2026-11-01&end_date=2026-11-23T08:59:59%2B08:00") == []
    assert ids(f"service_code={MANHOLE}") == [second, first]
    assert ids("service_code=C010101") == []
    assert ids(f"service_request_id={first},{second}&status=open") == [first, second]
    closed = api.get(f"{BASE}/requests/{first}.json").json()[0]
    assert closed["status"] == "closed"
    assert closed["extended_attributes"]["detailed_status"] == "no_further_action"


def test_updates_list_every_public_step(
    api: TestClient, city: Platform, body: dict[str, Any], clock: Any
) -> None:
    number = parse("json", post(api, "json", body).text)[0]["service_request_id"]
    with city.read() as s:
        [case] = city.cases.list_cases(s, OPERATOR, CaseFilter(q=number), 1, 5).items
    clock.advance(timedelta(minutes=30))
    with city.uow() as uow:
        city.cases.act(
            uow,
            OPERATOR,
            case.id,
            CaseAction.register,
            ActionCommand(version=case.version, note="符合立案条件"),
        )
    for fmt in ("json", "xml"):
        r = api.get(f"{BASE}/servicerequestupdates.{fmt}")
        assert r.status_code == 200, r.text
        updates = parse(fmt, r.text)
        assert [u["description"] for u in updates] == [
            "受理：湖滨路口污水井盖松动，车辆经过有响声",
            "立案：符合立案条件",
        ]
        assert [u["updated_datetime"] for u in updates] == [
            "2026-11-23T09:00:00+08:00",
            "2026-11-23T09:30:00+08:00",
        ]
        assert [u["status"] for u in updates] == ["open", "investigating"]  # FixMyStreet's
        assert [u["external_status_code"] for u in updates] == ["reported", "registered"]
        assert updates[1]["extended_status"] == "investigating"
    later = api.get(f"{BASE}/servicerequestupdates.json?start_date=2026-11-23T01:15:00Z")
    assert [u["description"] for u in later.json()] == ["立案：符合立案条件"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("key", ["missing", "wrong", "revoked"])
def test_without_a_valid_key_it_is_403_and_nothing_is_written(
    api: TestClient,
    body: dict[str, Any],
    cli: Callable[..., Any],
    counts: Callable[[], tuple[int, int]],
    fmt: str,
    key: str,
) -> None:
    if key == "missing":
        del body["api_key"]
    elif key == "wrong":
        body["api_key"] = "o311_not-a-key"
    else:
        cli("open311", "keys", "revoke", "1")
    r = post(api, fmt, body)
    assert r.status_code == 403
    [error] = parse(fmt, r.text)
    assert str(error["code"]) == "403"
    assert "api_key" in error["description"]
    assert counts() == (0, 0)


BAD_INPUT = {
    "unknown service": ({"service_code": "X999"}, "unknown service_code"),
    "a parent, not a service": ({"service_code": "C0101"}, "unknown service_code"),
    "no location": ({"lat": "", "long": ""}, "location is required"),
    "lat without long": ({"long": ""}, "both lat and long"),
    "not a number": ({"lat": "north"}, "not a number"),
    "outside the city": ({"lat": "31.23", "long": "121.47"}, "outside every area"),
    "no description": ({"description": "  "}, "description is required"),
    "bad appeal type": ({"attribute[appeal_type]": "rant"}, "appeal_type"),
    "bad phone": ({"phone": "12345"}, "mainland mobile"),
    "script media": ({"media_url": "javascript:alert(1)"}, "media_url"),
    "a path out of the uploads": ({"media_url": "../../../../etc/passwd"}, "media_url"),
    "another site's photo": ({"media_url": "https://photos.example.com/a.jpg"}, "media_url"),
    "unknown address id": ({"lat": "", "long": "", "address_id": "999"}, "address_id"),
    "address nowhere": ({"lat": "", "long": "", "address_string": "火星路1号"}, "cannot place"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUT))
def test_bad_input_is_400_in_the_spec_format_and_nothing_is_written(
    api: TestClient, body: dict[str, Any], counts: Callable[[], tuple[int, int]], case: str
) -> None:
    change, message = BAD_INPUT[case]
    for fmt in ("json", "xml"):
        r = post(api, fmt, {**body, **change})
        assert r.status_code == 400, r.text
        [error] = parse(fmt, r.text)
        assert str(error["code"]) == "400"
        assert message in error["description"]
    assert counts() == (0, 0)


@pytest.mark.parametrize(
    ("address", "expected_area"),
    [
        ({"address_id": "330191001"}, "330191001"),
        ({"address_string": "东湖区湖滨街道湖滨东园社区幸福路8号"}, "330191001001"),
        ({"address_string": "湖滨湖滨东园幸福路8号"}, "330191001001"),  # no 街道/社区
        ({"address_string": "湖滨路口"}, "330191001"),  # the street, without 街道
        ({"address_string": "东湖区某路1号"}, "330191"),  # a district named alone
    ],
)
def test_a_place_by_area_code_or_address(
    api: TestClient,
    city: Platform,
    body: dict[str, Any],
    address: dict[str, str],
    expected_area: str,
) -> None:
    r = post(api, "json", {**body, "lat": "", "long": "", **address})
    assert r.status_code == 200, r.text
    number = r.json()[0]["service_request_id"]
    req = api.get(f"{BASE}/requests/{number}.json").json()[0]
    assert req["address_id"] == expected_area
    assert req["lat"] is None


@pytest.mark.parametrize(
    "query",
    [
        "start_date=yesterday",
        "end_date=2026-13-01",
        "start_date=2026-11-23&end_date=2026-11-01",
        "start_date=2026-01-01&end_date=2026-11-01",
        "status=pending",
    ],
)
def test_bad_query_is_400(api: TestClient, query: str) -> None:
    r = api.get(f"{BASE}/requests.xml?{query}")
    assert r.status_code == 400
    root = ET.fromstring(r.content)
    assert root.tag == "errors"
    assert root[0].findtext("code") == "400"
    assert api.get(f"{BASE}/servicerequestupdates.json?{query}").status_code == (
        200 if query.startswith("status") else 400
    )


@pytest.mark.parametrize(
    "path",
    [
        "requests/C20990101999999.json",
        "requests/C20990101999999.xml",
        "tokens/nope.json",
        "services/X999.xml",
        "services/C01.json",
        "requests.csv",
    ],
)
def test_unknown_things_are_404(api: TestClient, path: str) -> None:
    r = api.get(f"{BASE}/{path}")
    assert r.status_code == 404
    fmt = "xml" if path.endswith(".xml") else "json"
    [error] = parse(fmt, r.text)
    assert str(error["code"]) == "404"


def test_services_come_from_the_taxonomy(api: TestClient) -> None:
    services = api.get(f"{BASE}/services.json").json()
    by_code = {s["service_code"]: s for s in services}
    manhole = by_code[MANHOLE]
    assert manhole["service_name"] == "污水井盖"
    assert manhole["group"] == "公用设施"
    assert manhole["metadata"] is True
    assert manhole["type"] == "realtime"
    assert "井盖" in manhole["keywords"]
    assert manhole["description"]
    assert "C01" not in by_code
    assert "C0101" not in by_code
    assert {s["service_code"][0] for s in services} == {"C", "E", "A"}  # every kind
    definition = api.get(f"{BASE}/services/{MANHOLE}.json").json()
    attrs = {a["code"]: a for a in definition["attributes"]}
    assert [v["name"] for v in attrs["appeal_type"]["values"]] == [
        "咨询",
        "求助",
        "投诉",
        "举报",
        "建议",
    ]
    assert attrs["reporter_name"]["datatype"] == "string"


def test_text_is_escaped_and_chinese_kept_in_xml(api: TestClient, body: dict[str, Any]) -> None:
    text = '<script>alert("x")</script> & 井盖\x07丢失'
    number = post(api, "json", {**body, "description": text}).json()[0]["service_request_id"]
    r = api.get(f"{BASE}/requests/{number}.xml")
    assert r.headers["content-type"].startswith("text/xml")
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    assert "<script>" not in r.text
    root = ET.fromstring(r.content)
    assert root.tag == "service_requests"
    assert root[0].tag == "request"
    assert root[0].findtext("description") == '<script>alert("x")</script> & 井盖丢失'


def test_keys_cli_lists_and_stores_only_a_hash(
    cli: Callable[..., Any], new_key: Callable[[str], str], key_rows: Callable[[], list[Any]]
) -> None:
    key = new_key("bureau-app")
    [row] = key_rows()
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    listing = cli("open311", "keys", "list").output
    assert "bureau-app" in listing
    assert key not in listing
    cli("open311", "keys", "create", "bureau-app", expect=1)
    cli("open311", "keys", "create", "Bad Name!", expect=1)
    cli("open311", "keys", "revoke", "1")
    assert key_rows()[0]["revoked_at"] is not None
    cli("open311", "keys", "revoke", "99", expect=1)


@pytest.mark.parametrize(
    ("content", "description"),
    [
        (b'{"service_code": "C010102",\n "lat": }', "Expecting value at line 2 column 9"),
        ('{"description": "井盖"}'.encode("gbk"), "it is not UTF-8 text"),
    ],
)
def test_a_json_body_that_does_not_parse_is_400(
    api: TestClient, counts: Callable[[], tuple[int, int]], content: bytes, description: str
) -> None:
    r = api.post(
        f"{BASE}/requests.json", content=content, headers={"Content-Type": "application/json"}
    )
    assert r.status_code == 400, r.text
    [error] = parse("json", r.text)
    assert error["description"] == f"the body is not valid JSON: {description}"
    assert counts() == (0, 0)


def test_a_form_body_with_unescaped_utf8_keeps_its_chinese(
    api: TestClient, body: dict[str, Any]
) -> None:
    """curl -d sends Chinese as raw UTF-8 bytes, not percent-escaped: the URL standard reads
    both as UTF-8 (a Latin-1 reading stored mojibake)."""
    raw = "&".join(f"{k}={v}" for k, v in body.items()).encode("utf-8")
    r = api.post(
        f"{BASE}/requests.json",
        content=raw,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 200, r.text
    number = r.json()[0]["service_request_id"]
    [stored] = api.get(f"{BASE}/requests/{number}.json").json()
    assert stored["description"] == body["description"]


@pytest.mark.parametrize("garbage", [b"%FF%FE", b"\xff\xfe"])
def test_a_form_body_that_is_not_utf8_is_400(
    api: TestClient, body: dict[str, Any], counts: Callable[[], tuple[int, int]], garbage: bytes
) -> None:
    raw = "&".join(f"{k}={v}" for k, v in body.items()).encode("utf-8") + b"&address_string="
    r = api.post(
        f"{BASE}/requests.json",
        content=raw + garbage,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert r.status_code == 400, r.text
    [error] = parse("json", r.text)
    assert error["description"] == "the form body is not UTF-8 text (raw or percent-encoded)"
    assert counts() == (0, 0)


def test_updated_datetime_follows_every_step(
    api: TestClient, body: dict[str, Any], staff: Callable[..., Any], clock: Any
) -> None:
    number = post(api, "json", body).json()[0]["service_request_id"]

    def updated() -> str:
        [req] = api.get(f"{BASE}/requests/{number}.json").json()
        listed = {r["service_request_id"]: r for r in api.get(f"{BASE}/requests.json").json()}
        assert listed[number]["updated_datetime"] == req["updated_datetime"]
        return str(req["updated_datetime"])

    steps: list[tuple[str, dict[str, Any]]] = [
        ("register", {}),
        ("dispatch", {"department_code": "SWJ"}),
        ("return", {"reason": "不属本单位"}),  # 回退: no stamp of its own on the case
        ("dispatch", {"department_code": "SWJ"}),
        ("sign", {}),
        ("finish", {"note": "已处理"}),
        ("verify", {"passed": True}),
        (
            "evaluate",
            {
                "contacted": True,
                "resolved": False,
                "satisfaction": Satisfaction.unsatisfied,
                "reopen": True,
            },
        ),  # 重办
        ("finish", {"note": "重新处理"}),
        ("verify", {"passed": True}),
        (
            "evaluate",
            {"contacted": True, "resolved": True, "satisfaction": Satisfaction.basically_satisfied},
        ),
    ]
    for minutes, step in enumerate(steps, start=1):
        clock.advance(timedelta(minutes=10))
        staff(number, step)
        hour, minute = divmod(9 * 60 + minutes * 10, 60)
        assert updated() == f"2026-11-23T{hour:02d}:{minute:02d}:00+08:00", step


@pytest.mark.parametrize(
    ("method", "path", "status", "allow"),
    [
        ("GET", "foo.xml", 404, None),
        ("GET", "foo.json", 404, None),
        ("GET", "requests/C1/extra.json", 404, None),
        ("PUT", "requests.json", 405, "GET, POST"),
        ("DELETE", "requests.xml", 405, "GET, POST"),
        ("POST", "services.xml", 405, "GET"),
        ("PATCH", "requests/C20261123000001.json", 405, "GET"),
    ],
)
def test_unknown_paths_and_methods_answer_in_the_spec_format(
    api: TestClient, method: str, path: str, status: int, allow: str | None
) -> None:
    r = api.request(method, f"{BASE}/{path}")
    assert r.status_code == status, r.text
    fmt = "xml" if path.endswith(".xml") else "json"
    assert r.headers["content-type"].startswith("text/xml" if fmt == "xml" else "application/json")
    [error] = parse(fmt, r.text)
    assert str(error["code"]) == str(status)
    assert error["description"]
    assert r.headers.get("allow") == allow
