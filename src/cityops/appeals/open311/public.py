"""What the rest of cityops may use of Open311 GeoReport v2: the service built in app.py as
`platform.open311` with its allowances, the spec's documents (JSON or XML, `render_*`), the
readers of a submission and of a request query, and the request and update records."""

from __future__ import annotations

from cityops.appeals.open311.inputs import parse_request_query, parse_submission
from cityops.appeals.open311.limits import Open311Limits
from cityops.appeals.open311.model import RequestUpdate, ServiceRequest, parse_w3c, w3c
from cityops.appeals.open311.publication import absolute_media_url
from cityops.appeals.open311.render import MEDIA_TYPES, Format
from cityops.appeals.open311.render import discovery as render_discovery
from cityops.appeals.open311.render import errors as render_errors
from cityops.appeals.open311.render import receipt as render_receipt
from cityops.appeals.open311.render import requests as render_requests
from cityops.appeals.open311.render import service_definition as render_service_definition
from cityops.appeals.open311.render import services as render_services
from cityops.appeals.open311.render import token as render_token
from cityops.appeals.open311.render import updates as render_updates
from cityops.appeals.open311.service import Open311Service, PreparedRequest

__all__ = [
    "MEDIA_TYPES",
    "Format",
    "Open311Limits",
    "Open311Service",
    "PreparedRequest",
    "RequestUpdate",
    "ServiceRequest",
    "absolute_media_url",
    "parse_request_query",
    "parse_submission",
    "parse_w3c",
    "render_discovery",
    "render_errors",
    "render_receipt",
    "render_requests",
    "render_service_definition",
    "render_services",
    "render_token",
    "render_updates",
    "w3c",
]
