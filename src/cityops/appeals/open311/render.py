"""GeoReport v2 documents in the spec's shapes, as JSON or XML (UTF-8, declared; text escaped;
characters XML 1.0 forbids are dropped). Errors are `[{code, description}]` /
`<errors><error><code/><description/></error></errors>`."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import asdict
from enum import StrEnum
from typing import Any

from cityops.appeals.open311.model import (
    CHANGESET,
    SPEC_URL,
    Receipt,
    RequestUpdate,
    Service,
    ServiceDefinition,
    ServiceRequest,
)


class Format(StrEnum):
    json = "json"
    xml = "xml"


MEDIA_TYPES = {
    Format.json: "application/json; charset=utf-8",
    Format.xml: "text/xml; charset=utf-8",
}
# Element name of the items of a list-valued field.
ITEM_NAMES = {
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
}
_XML_FORBIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _XML_FORBIDDEN.sub("", str(value))


def _fill(element: ET.Element, value: Any) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _fill(ET.SubElement(element, key), child)
    elif isinstance(value, list | tuple):
        item = ITEM_NAMES.get(element.tag, "item")
        for child in value:
            _fill(ET.SubElement(element, item), child)
    else:
        element.text = _text(value)


def to_xml(root: str, item: str | None, data: Any) -> bytes:
    """`data` under <root>: a list becomes one <item> per entry, a dict the root's children."""
    element = ET.Element(root)
    if item is not None:
        for entry in data:
            _fill(ET.SubElement(element, item), entry)
    else:
        _fill(element, data)
    body = ET.tostring(element, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n' + body).encode("utf-8")


def to_json(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def document(fmt: Format, root: str, item: str | None, data: Any) -> bytes:
    return to_json(data) if fmt is Format.json else to_xml(root, item, data)


# ---- the spec's documents --------------------------------------------------------------------


def discovery(fmt: Format, base_url: str) -> bytes:
    data = {
        "changeset": CHANGESET,
        "contact": "12345 市民服务热线 · cityops",
        "key_service": "cityops open311 keys create NAME (ask the platform administrator)",
        "endpoints": [
            {
                "specification": SPEC_URL,
                "url": base_url,
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return document(fmt, "discovery", None, data)


def services(fmt: Format, items: list[Service]) -> bytes:
    return document(fmt, "services", "service", [asdict(s) for s in items])


def service_definition(fmt: Format, definition: ServiceDefinition) -> bytes:
    data = {
        "service_code": definition.service_code,
        "attributes": [
            {
                "variable": a.variable,
                "code": a.code,
                "datatype": a.datatype,
                "required": a.required,
                "datatype_description": a.datatype_description,
                "order": a.order,
                "description": a.description,
                "values": [{"key": v.key, "name": v.name} for v in a.values],
            }
            for a in definition.attributes
        ],
    }
    return document(fmt, "service_definition", None, data)


def requests(fmt: Format, items: list[ServiceRequest]) -> bytes:
    return document(fmt, "service_requests", "request", [asdict(r) for r in items])


def receipt(fmt: Format, item: Receipt) -> bytes:
    data = [
        {
            "service_request_id": item.service_request_id,
            "service_notice": item.service_notice,
            "account_id": item.account_id,
            "token": item.token,
        }
    ]
    return document(fmt, "service_requests", "request", data)


def token(fmt: Format, service_request_id: str, token_value: str) -> bytes:
    data = [{"service_request_id": service_request_id, "token": token_value}]
    return document(fmt, "service_requests", "request", data)


def updates(fmt: Format, items: list[RequestUpdate]) -> bytes:
    return document(fmt, "service_request_updates", "request_update", [asdict(u) for u in items])


def errors(fmt: Format, status: int, *descriptions: str) -> bytes:
    data = [{"code": status, "description": d} for d in descriptions]
    return document(fmt, "errors", "error", data)
