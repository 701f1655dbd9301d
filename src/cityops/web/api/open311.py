"""Open311 GeoReport v2 at /open311/v2 (JSON or XML by the path's extension). Errors come in the
spec's format — 400 bad input, 403 missing or invalid api_key, 404 unknown service or request,
429 over an allowance (with Retry-After) — not in the /api/v1 error body. Reads are public and
limited per client address; POST requests needs an api_key and is limited per key and per
address."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from fastapi import APIRouter, Request, Response
from fastapi.routing import APIRoute
from starlette.datastructures import UploadFile

from cityops.app import Platform
from cityops.appeals.open311.public import (
    MEDIA_TYPES,
    Format,
    PreparedRequest,
    RequestUpdate,
    ServiceRequest,
    absolute_media_url,
    parse_request_query,
    parse_submission,
    parse_w3c,
    render_discovery,
    render_errors,
    render_receipt,
    render_requests,
    render_service_definition,
    render_services,
    render_token,
    render_updates,
)
from cityops.kernel.actor import anonymous_citizen
from cityops.kernel.errors import (
    DomainError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from cityops.web.deps import PlatformDep

router = APIRouter(prefix="/open311/v2", tags=["open311"])
Item = TypeVar("Item", ServiceRequest, RequestUpdate)

ERROR_STATUS: list[tuple[type[DomainError], int]] = [
    (ValidationFailed, 400),
    (PermissionDenied, 403),
    (Unauthenticated, 403),
    (NotFound, 404),
]


def _status_of(exc: DomainError) -> int:
    return next((status for cls, status in ERROR_STATUS if isinstance(exc, cls)), 400)


def _format(fmt: str) -> Format:
    try:
        return Format(fmt.lower())
    except ValueError as exc:
        raise NotFound(f"unknown format {fmt!r}: use .json or .xml", code="bad_format") from exc


def _error(fmt: Format, exc: DomainError) -> Response:
    status = _status_of(exc)
    body = render_errors(fmt, status, exc.message)
    return Response(body, status_code=status, media_type=MEDIA_TYPES[fmt])


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def _too_many(fmt: Format, wait: int, what: str) -> Response:
    """429 in the spec's error format, with Retry-After in whole seconds."""
    body = render_errors(fmt, 429, f"too many {what}; try again in {wait} seconds")
    return Response(
        body,
        status_code=429,
        media_type=MEDIA_TYPES[fmt],
        headers={"Retry-After": str(wait)},
    )


def _answer(
    platform: Platform, request: Request, fmt: str, build: Callable[[Format], bytes]
) -> Response:
    """Run `build` in the requested format once the client's read allowance says so; domain
    errors become the spec's error document."""
    try:
        chosen = _format(fmt)
    except NotFound as exc:
        return _error(Format.json, exc)
    if wait := platform.open311.limiter.read_from(_client(request)):
        return _too_many(chosen, wait, "requests from your address")
    try:
        body = build(chosen)
    except DomainError as exc:
        return _error(chosen, exc)
    return Response(body, media_type=MEDIA_TYPES[chosen])


def _with_media(platform: Platform, request: Request, items: list[Item]) -> list[Item]:
    """Each published photo (a stored-media reference, /media/…) as an absolute URL on this
    server: the configured public address (CITYOPS_PUBLIC_URL), else the request's own; any
    other value is dropped, never published as a link."""
    base = platform.settings.public_url or str(request.base_url)
    return [replace(i, media_url=absolute_media_url(i.media_url, base)) for i in items]


def _params(request: Request) -> dict[str, str]:
    """Query parameters; a repeated one is joined with commas (status=open&status=closed)."""
    q = request.query_params
    return {key: ",".join(q.getlist(key)) for key in q}


# ---- discovery and services --------------------------------------------------------------------


@router.get("/discovery.{fmt}")
def get_discovery(request: Request, platform: PlatformDep, fmt: str) -> Response:
    base = str(request.base_url).rstrip("/") + "/open311/v2"
    return _answer(platform, request, fmt, lambda f: render_discovery(f, base))


@router.get("/services.{fmt}")
def get_services(request: Request, platform: PlatformDep, fmt: str) -> Response:
    def build(f: Format) -> bytes:
        with platform.read() as session:
            return render_services(f, platform.open311.services(session, anonymous_citizen()))

    return _answer(platform, request, fmt, build)


@router.get("/services/{service_code}.{fmt}")
def get_service_definition(
    request: Request, platform: PlatformDep, service_code: str, fmt: str
) -> Response:
    def build(f: Format) -> bytes:
        with platform.read() as session:
            definition = platform.open311.service_definition(
                session, anonymous_citizen(), service_code
            )
        return render_service_definition(f, definition)

    return _answer(platform, request, fmt, build)


# ---- requests ------------------------------------------------------------------------------------


async def _body(request: Request) -> tuple[dict[str, str], dict[str, str]]:
    """(fields, attributes) of a POST body: form-encoded as the spec says, or JSON."""
    fields: dict[str, str] = {}
    attributes: dict[str, str] = {}
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw: Mapping[str, Any]
    if ctype == "application/json":
        try:
            parsed = json.loads(await request.body() or b"{}")
        except json.JSONDecodeError as exc:
            raise ValidationFailed(
                f"the body is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}",
                code="invalid_json",
            ) from exc
        except ValueError as exc:  # UnicodeDecodeError included
            raise ValidationFailed(
                "the body is not valid JSON: it is not UTF-8 text", code="invalid_json"
            ) from exc
        if not isinstance(parsed, dict):
            raise ValidationFailed("the JSON body must be an object", code="invalid_json")
        nested = parsed.pop("attribute", None)
        if isinstance(nested, dict):
            attributes.update({str(k): _scalar(v) for k, v in nested.items()})
        raw = parsed
    elif ctype == "application/x-www-form-urlencoded":
        raw = _form_fields(await request.body())
    else:
        form = await request.form()
        if any(isinstance(v, UploadFile) for _k, v in form.multi_items()):
            await form.close()
            raise ValidationFailed(
                "file uploads are not accepted: send the photo's address as media_url",
                code="upload_not_accepted",
            )
        raw = dict(form.multi_items())
    for key, value in raw.items():
        if key.startswith("attribute[") and key.endswith("]"):
            attributes[key[len("attribute[") : -1]] = _scalar(value)
        else:
            fields[key] = _scalar(value)
    return fields, attributes


# More fields than a service request has, with every attribute of a long definition.
MAX_FORM_FIELDS = 200


def _form_fields(body: bytes) -> dict[str, str]:
    """A form-encoded body read as the URL standard says: percent-escapes and raw bytes alike
    are UTF-8 (Starlette's form parser takes raw bytes for Latin-1, which turned a Chinese
    description sent unescaped, as curl -d sends it, into mojibake)."""
    try:
        pairs = parse_qsl(
            body.decode("utf-8"),
            keep_blank_values=True,
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "the form body is not UTF-8 text (raw or percent-encoded)", code="invalid_form"
        ) from exc
    except ValueError as exc:
        raise ValidationFailed(
            f"the form body has more than {MAX_FORM_FIELDS} fields", code="invalid_form"
        ) from exc
    return dict(pairs)


def _scalar(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise ValidationFailed("request fields must be plain values", code="invalid_field")
    return str(value)


def _prepare(
    platform: Platform, api_key: str | None, fields: dict[str, str], attrs: dict[str, str]
) -> PreparedRequest:
    """The key, the submission and its case, checked on a read session (reference data comes
    from caches); the write goes to the group-commit writer (infra/writer.py)."""
    with platform.read() as session:
        actor = platform.open311.authenticate(session, api_key)
        submission = parse_submission(fields, attrs)
        return platform.open311.prepare_request(session, actor, submission)


@router.post("/requests.{fmt}")
async def post_request(request: Request, platform: PlatformDep, fmt: str) -> Response:
    try:
        chosen = _format(fmt)
    except NotFound as exc:
        return _error(Format.json, exc)
    limiter = platform.open311.limiter
    if wait := limiter.post_from(_client(request)):
        return _too_many(chosen, wait, "requests from your address")
    try:
        fields, attrs = await _body(request)
        api_key = fields.pop("api_key", None) or request.query_params.get("api_key")
        if api_key and (wait := limiter.post_with_key(api_key)):
            return _too_many(chosen, wait, "requests with this api_key")
        prepared = _prepare(platform, api_key, fields, attrs)
        receipt = await platform.writes.run_many(platform.open311.store_requests, prepared)
    except DomainError as exc:
        return _error(chosen, exc)
    body = render_receipt(chosen, receipt)
    return Response(body, status_code=200, media_type=MEDIA_TYPES[chosen])


@router.get("/requests.{fmt}")
def get_requests(request: Request, platform: PlatformDep, fmt: str) -> Response:
    params = _params(request)

    def build(f: Format) -> bytes:
        query = parse_request_query(params)
        with platform.read() as session:
            items = platform.open311.list_requests(session, anonymous_citizen(), query)
        return render_requests(f, _with_media(platform, request, items))

    return _answer(platform, request, fmt, build)


@router.get("/requests/{service_request_id}.{fmt}")
def get_request(
    request: Request, platform: PlatformDep, service_request_id: str, fmt: str
) -> Response:
    def build(f: Format) -> bytes:
        with platform.read() as session:
            item = platform.open311.get_request(session, anonymous_citizen(), service_request_id)
        return render_requests(f, _with_media(platform, request, [item]))

    return _answer(platform, request, fmt, build)


@router.get("/tokens/{token}.{fmt}")
def get_token(request: Request, platform: PlatformDep, token: str, fmt: str) -> Response:
    def build(f: Format) -> bytes:
        with platform.read() as session:
            number, value = platform.open311.token(session, anonymous_citizen(), token)
        return render_token(f, number, value)

    return _answer(platform, request, fmt, build)


@router.get("/servicerequestupdates.{fmt}")
def get_updates(request: Request, platform: PlatformDep, fmt: str) -> Response:
    """FixMyStreet's extension: every public step of the cases as an update."""
    params = _params(request)

    def build(f: Format) -> bytes:
        start = params.get("start_date")
        end = params.get("end_date")
        with platform.read() as session:
            items = platform.open311.list_updates(
                session,
                anonymous_citizen(),
                parse_w3c(start, "start_date") if start else None,
                parse_w3c(end, "end_date") if end else None,
            )
        return render_updates(f, _with_media(platform, request, items))

    return _answer(platform, request, fmt, build)


# ---- anything else under /open311/v2: the spec's error format, not the app's -------------------

ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]


@router.api_route("/{rest:path}", methods=ALL_METHODS, include_in_schema=False)
def unknown(request: Request, rest: str) -> Response:
    """404 for a path the endpoint does not have, 405 (with Allow) for a method a path does not
    take — in the spec's error document, XML for a .xml path."""
    fmt = Format.xml if rest.lower().endswith(".xml") else Format.json
    allowed = {
        method
        for route in router.routes
        if isinstance(route, APIRoute)
        and route.endpoint is not unknown
        and route.path_regex.match(request.url.path)
        for method in route.methods or ()
    }
    if allowed:
        body = render_errors(
            fmt, 405, f"{request.method} is not allowed here; use {', '.join(sorted(allowed))}"
        )
        return Response(
            body,
            status_code=405,
            media_type=MEDIA_TYPES[fmt],
            headers={"Allow": ", ".join(sorted(allowed))},
        )
    body = render_errors(fmt, 404, f"no such Open311 resource: /open311/v2/{rest}")
    return Response(body, status_code=404, media_type=MEDIA_TYPES[fmt])
