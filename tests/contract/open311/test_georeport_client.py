"""GeoReport v2 contract, checked with a real Open311 client from PyPI (`georeport`, which reads
services, definitions and requests in JSON and XML) against a live server, plus plain `requests`
for what that client cannot do (POST, tokens, FixMyStreet's servicerequestupdates). Every
document must parse with the standard library's XML parser and carry the spec's element names
with values of the spec's types (FIELDS below, written from wiki.open311.org/GeoReport_v2)."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import Any

import pytest
import requests
from georeport import GeoReport
from visits import FMS_UPDATE_STATES

MANHOLE = "C010102"
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")
BOOL, INT, FLOAT, TEXT, DATE = "bool", "int", "float", "text", "w3c"
# The spec's fields per document item: name → type (None: may be empty).
FIELDS: dict[str, dict[str, str]] = {
    "service": {
        "service_code": TEXT,
        "service_name": TEXT,
        "description": TEXT,
        "metadata": BOOL,
        "type": TEXT,
        "keywords": TEXT,
        "group": TEXT,
    },
    "attribute": {
        "variable": BOOL,
        "code": TEXT,
        "datatype": TEXT,
        "required": BOOL,
        "datatype_description": TEXT,
        "order": INT,
        "description": TEXT,
    },
    "request": {
        "service_request_id": TEXT,
        "status": TEXT,
        "status_notes": TEXT,
        "service_name": TEXT,
        "service_code": TEXT,
        "description": TEXT,
        "agency_responsible": TEXT,
        "service_notice": TEXT,
        "requested_datetime": DATE,
        "updated_datetime": DATE,
        "expected_datetime": DATE,
        "address": TEXT,
        "address_id": TEXT,
        "zipcode": TEXT,
        "lat": FLOAT,
        "long": FLOAT,
        "media_url": TEXT,
    },
    "receipt": {"service_request_id": TEXT, "service_notice": TEXT, "account_id": TEXT},
    "error": {"code": INT, "description": TEXT},
    "request_update": {  # FixMyStreet's extension
        "update_id": TEXT,
        "service_request_id": TEXT,
        "status": TEXT,
        "updated_datetime": DATE,
        "description": TEXT,
        "media_url": TEXT,
        "external_status_code": TEXT,
    },
}
DATATYPES = {"string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"}


def _ok(kind: str, value: Any, from_xml: bool) -> bool:
    if value is None or value == "":
        return True  # the spec lets any field be empty
    if from_xml:
        checks = {
            BOOL: lambda v: v in ("true", "false"),
            INT: lambda v: v.lstrip("-").isdigit(),
            FLOAT: lambda v: float(v) == float(v),
            TEXT: lambda v: isinstance(v, str),
            DATE: lambda v: W3C.match(v) is not None,
        }
    else:
        checks = {
            BOOL: lambda v: isinstance(v, bool),
            INT: lambda v: isinstance(v, int) and not isinstance(v, bool),
            FLOAT: lambda v: isinstance(v, float | int),
            TEXT: lambda v: isinstance(v, str),
            DATE: lambda v: isinstance(v, str) and W3C.match(v) is not None,
        }
    return bool(checks[kind](value))


def conforms(
    item: dict[str, Any],
    kind: str,
    *,
    from_xml: bool,
    extra: frozenset[str] | set[str] = frozenset(),
) -> None:
    spec = FIELDS[kind]
    missing = set(spec) - set(item)
    unknown = set(item) - set(spec) - extra
    assert not missing, (kind, missing)
    assert not unknown, (kind, unknown)
    bad = {k: item[k] for k, t in spec.items() if not _ok(t, item[k], from_xml)}
    assert not bad, (kind, bad)


def xml_items(text: bytes, root: str, item: str) -> list[dict[str, Any]]:
    doc = ET.fromstring(text)
    assert doc.tag == root
    assert all(child.tag == item for child in doc)
    return [{c.tag: (c.text or "") if len(c) == 0 else c for c in child} for child in doc]


def submit(endpoint: str, api_key: str, inside: tuple[float, float], fmt: str = "json") -> Any:
    lat, lon = inside
    r = requests.post(
        f"{endpoint}/requests.{fmt}",
        data={
            "api_key": api_key,
            "service_code": MANHOLE,
            "lat": lat,
            "long": lon,
            "description": "井盖松动 <b>注意</b> & 安全",
            "attribute[appeal_type]": "complaint",
        },
        timeout=10,
    )
    assert r.status_code == 200, r.text
    return r


INSIDE = (30.2522, 120.1278)  # 湖滨街道 of the demo city


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_the_client_reads_services_and_definitions(endpoint: str, fmt: str) -> None:
    client = GeoReport(endpoint, output_format=fmt)
    services = client.get_service_list()
    assert len(services) > 50
    for service in services:
        conforms(service, "service", from_xml=fmt == "xml")
        assert service["type"] == "realtime"
    manhole = next(s for s in services if s["service_code"] == MANHOLE)
    assert manhole["service_name"] == "污水井盖"
    assert manhole["group"] == "公用设施"
    definition = client.get_service_definition(MANHOLE)
    assert definition["service_code"] == MANHOLE
    attributes = definition["attributes"]
    if fmt == "xml":  # xmltodict: <attributes><attribute>…</attribute>…</attributes>
        attributes = attributes["attribute"]
    for attribute in attributes:
        conforms(attribute, "attribute", from_xml=fmt == "xml", extra={"values"})
        assert attribute["datatype"] in DATATYPES


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_posted_request_reads_back_through_the_client(
    endpoint: str, api_key: str, fmt: str
) -> None:
    r = submit(endpoint, api_key, INSIDE, fmt)
    if fmt == "json":
        [receipt] = r.json()
    else:
        [receipt] = xml_items(r.content, "service_requests", "request")
    conforms(receipt, "receipt", from_xml=fmt == "xml", extra={"token"})
    number = receipt["service_request_id"]

    client = GeoReport(endpoint, output_format=fmt)
    one = client.get_service_request(number)
    conforms(one, "request", from_xml=fmt == "xml", extra={"extended_attributes"})
    assert one["status"] == "open"
    assert one["description"] == "井盖松动 <b>注意</b> & 安全"
    listed = client.get_service_requests(status="open", start_date="2026-11-01T00:00:00Z")
    if isinstance(listed, dict):  # xmltodict gives a dict for a single <request>
        listed = [listed]
    assert number in {x["service_request_id"] for x in listed}
    for item in listed:
        conforms(item, "request", from_xml=fmt == "xml", extra={"extended_attributes"})

    token = requests.get(f"{endpoint}/tokens/{receipt['token']}.{fmt}", timeout=10)
    assert token.status_code == 200
    assert number in token.text


def test_errors_come_in_the_spec_format(endpoint: str) -> None:
    client = GeoReport(endpoint, output_format="json")
    with pytest.raises(requests.HTTPError) as err:
        client.get_service_request("C20990101999999")
    assert err.value.response.status_code == 404
    for item in err.value.response.json():
        conforms(item, "error", from_xml=False)
    forbidden = requests.post(
        f"{endpoint}/requests.xml", data={"service_code": MANHOLE}, timeout=10
    )
    assert forbidden.status_code == 403
    for item in xml_items(forbidden.content, "errors", "error"):
        conforms(item, "error", from_xml=True)


def test_every_document_parses_with_the_standard_library(endpoint: str, api_key: str) -> None:
    submit(endpoint, api_key, INSIDE)
    roots = {
        "discovery.xml": "discovery",
        "services.xml": "services",
        f"services/{MANHOLE}.xml": "service_definition",
        "requests.xml": "service_requests",
        "servicerequestupdates.xml": "service_request_updates",
        "requests.xml?start_date=bad": "errors",
    }
    for path, root in roots.items():
        r = requests.get(f"{endpoint}/{path}", timeout=10)
        assert r.headers["content-type"] == "text/xml; charset=utf-8"
        assert r.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
        assert ET.fromstring(r.content).tag == root, path
    updates = requests.get(f"{endpoint}/servicerequestupdates.xml", timeout=10).content
    items = xml_items(updates, "service_request_updates", "request_update")
    assert items
    for item in items:
        conforms(item, "request_update", from_xml=True, extra={"extended_status"})
        assert item["status"] in FMS_UPDATE_STATES, item
    as_json = requests.get(f"{endpoint}/servicerequestupdates.json", timeout=10).json()
    assert as_json
    for item in as_json:
        conforms(item, "request_update", from_xml=False, extra={"extended_status"})
        assert item["status"] in FMS_UPDATE_STATES, item
    discovery = requests.get(f"{endpoint}/discovery.json", timeout=10).json()
    [production] = discovery["endpoints"]
    assert production["url"] == endpoint
    assert set(production["formats"]) == {"text/xml", "application/json"}


def test_updates_of_a_whole_case_life_use_fixmystreet_states(
    endpoint: str, api_key: str, live_platform: Any
) -> None:
    """A request taken through 立案, 派遣, 回退, 派遣 again, 签收, 办结, 核查 and a 回访 that
    reopens it: every update's `status` is one of FixMyStreet's states, in the order of the
    steps, with our own status in `external_status_code`."""
    from cityops.cases.public import ActionCommand, CaseAction, CaseFilter, Satisfaction
    from cityops.kernel.actor import Actor, Role

    [receipt] = submit(endpoint, api_key, INSIDE).json()
    number = receipt["service_request_id"]
    with live_platform.read() as s:
        swj = live_platform.org.department_by_code(s, "SWJ")

    def actor(role: Role) -> Actor:
        bound = {"department_id": swj.id, "department_code": "SWJ"} if role is Role.handler else {}
        return Actor(user_id=None, username=f"c-{role}", roles=frozenset({role}), **bound)

    steps: list[tuple[CaseAction, Role, dict[str, Any]]] = [
        (CaseAction.register, Role.operator, {}),
        (CaseAction.dispatch, Role.dispatcher, {"department_code": "SWJ"}),
        (CaseAction.return_, Role.handler, {"reason": "不属本单位"}),
        (CaseAction.dispatch, Role.dispatcher, {"department_code": "SWJ"}),
        (CaseAction.sign, Role.handler, {}),
        (CaseAction.finish, Role.handler, {"note": "已更换井盖"}),
        (CaseAction.verify, Role.dispatcher, {"passed": True}),
        (
            CaseAction.evaluate,
            Role.operator,
            {
                "contacted": True,
                "resolved": False,
                "satisfaction": Satisfaction.unsatisfied,
                "reopen": True,
            },
        ),
    ]
    reader = actor(Role.leader)
    with live_platform.read() as s:
        [case] = [
            c
            for c in live_platform.cases.list_cases(s, reader, CaseFilter(q=number), 1, 5).items
            if c.number == number
        ]
    for action, role, fields in steps:
        with live_platform.uow() as uow:
            case = live_platform.cases.act(
                uow, actor(role), case.id, action, ActionCommand(version=case.version, **fields)
            )
    for fmt in ("json", "xml"):
        r = requests.get(f"{endpoint}/servicerequestupdates.{fmt}", timeout=10)
        assert r.status_code == 200, r.text
        items = (
            r.json()
            if fmt == "json"
            else xml_items(r.content, "service_request_updates", "request_update")
        )
        mine = [u for u in items if u["service_request_id"] == number]
        for item in mine:
            conforms(item, "request_update", from_xml=fmt == "xml", extra={"extended_status"})
        assert [(u["status"], u["external_status_code"]) for u in mine] == [
            ("open", "reported"),
            ("investigating", "registered"),
            ("action_scheduled", "dispatched"),
            ("internal_referral", "registered"),
            ("action_scheduled", "dispatched"),
            ("in_progress", "in_progress"),
            ("in_progress", "handled"),
            ("fixed", "closed"),
            ("reopen", "in_progress"),
        ]
