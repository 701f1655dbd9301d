"""NGSI-LD (ETSI GS CIM 009) at /ngsi-ld/v1: devices and their latest values as entities, and
their history (raw instances, or aggregated per period). Read-only.

Authentication: a staff bearer token, like /api/v1 (`Authorization: Bearer <token>`; an
integration API token suits a broker or a dashboard), or the console's session. Errors answer in
NGSI-LD's ProblemDetails (`{"type": "https://uri.etsi.org/ngsi-ld/errors/BadRequestData",
"title", "detail"}`; 401 and 403 with type `about:blank`), not in the /api/v1 error body.
`Accept: application/ld+json` gets the @context in the body; otherwise application/json with
the core context in a Link header. docs/sensing/ngsi_ld.md lists what is served.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cityops.app import Platform
from cityops.kernel.actor import Actor
from cityops.kernel.errors import DomainError, PermissionDenied
from cityops.sensing.ngsi_ld.public import (
    ENTITY_PARAMS,
    JSONLD,
    LINK_HEADER,
    TEMPORAL_PARAMS,
    NgsiLdProblem,
    NgsiLdService,
    bad_request,
    options_of,
    parse_entity_query,
    parse_temporal_query,
)
from cityops.web.deps import PlatformDep, oauth2_scheme, optional_actor

router = APIRouter(prefix="/ngsi-ld/v1", tags=["ngsi-ld"])


def _problem(exc: NgsiLdProblem) -> Response:
    return JSONResponse(exc.body(), status_code=exc.status, media_type="application/json")


async def ngsi_actor(
    request: Request,
    platform: PlatformDep,
    token: Annotated[str | None, Depends(oauth2_scheme)],
) -> Actor | NgsiLdProblem:
    """The signed-in actor, or the problem to answer instead (401)."""
    try:
        actor = await optional_actor(request, platform, token)
    except DomainError as exc:
        return NgsiLdProblem("Unauthorized", "Unauthorized", exc.message)
    if actor is None:
        return NgsiLdProblem(
            "Unauthorized", "Unauthorized", "send 'Authorization: Bearer <token>' (a staff token)"
        )
    return actor


ActorOrProblem = Annotated[Actor | NgsiLdProblem, Depends(ngsi_actor)]


def _params(request: Request) -> dict[str, str]:
    params = request.query_params
    if repeated := sorted({key for key in params if len(params.getlist(key)) > 1}):
        raise bad_request(f"parameter {', '.join(repeated)} is given more than once")
    return dict(params)


def _wants_ld(request: Request) -> bool:
    return JSONLD in request.headers.get("accept", "")


def _answer(
    request: Request,
    platform: Platform,
    found: ActorOrProblem,
    build: Callable[[Actor, Mapping[str, str], bool], tuple[Any, int | None]],
) -> Response:
    """Run `build(actor, params, context_in_body)` in a read session; the body it returns in
    the negotiated media type, with NGSILD-Results-Count when it gives a count."""
    if isinstance(found, NgsiLdProblem):
        return _problem(found)
    ld = _wants_ld(request)
    try:
        body, count = build(found, _params(request), ld)
    except NgsiLdProblem as exc:
        return _problem(exc)
    except PermissionDenied as exc:
        return _problem(NgsiLdProblem("Forbidden", "Forbidden", exc.message))
    headers = {} if ld else {"Link": LINK_HEADER}
    if count is not None:
        headers["NGSILD-Results-Count"] = str(count)
    return JSONResponse(body, media_type=JSONLD if ld else "application/json", headers=headers)


def _service(platform: Platform) -> NgsiLdService:
    return NgsiLdService(platform.clock)  # stateless: the platform's clock is all it keeps


def _split(params: Mapping[str, str]) -> tuple[dict[str, str], dict[str, str]]:
    """(entity parameters, temporal parameters) of a temporal query; `attrs` goes to both."""
    entity = {k: v for k, v in params.items() if k not in TEMPORAL_PARAMS or k == "attrs"}
    temporal = {k: v for k, v in params.items() if k in TEMPORAL_PARAMS}
    if unknown := set(params) - ENTITY_PARAMS - TEMPORAL_PARAMS:
        raise bad_request(f"parameter {', '.join(sorted(unknown))} is not supported here")
    return entity, temporal


@router.get("/entities")
async def query_entities(
    request: Request, platform: PlatformDep, found: ActorOrProblem
) -> Response:
    """Entities by `type`, `id`, `q`, `attrs` and `georel` (near, within), paged by `limit` and
    `offset`; `count=true` adds NGSILD-Results-Count; `options=keyValues` the simplified form."""

    def build(actor: Actor, params: Mapping[str, str], ld: bool) -> tuple[Any, int | None]:
        query = parse_entity_query(params)
        with platform.read() as session:
            page = _service(platform).query_entities(session, actor, query, context_in_body=ld)
        return page.entities, page.total if query.count else None

    return await run_in_threadpool(_answer, request, platform, found, build)


@router.get("/entities/{entity_id}")
async def retrieve_entity(
    request: Request, platform: PlatformDep, found: ActorOrProblem, entity_id: str
) -> Response:
    """One entity by its id (`urn:ngsi-ld:<type>:<device code>`); `attrs`, `options=keyValues`."""

    def build(actor: Actor, params: Mapping[str, str], ld: bool) -> tuple[Any, int | None]:
        if unknown := set(params) - {"attrs", "options"}:
            raise bad_request(f"parameter {', '.join(sorted(unknown))} is not supported here")
        options = options_of(params, frozenset({"keyValues", "normalized"}))
        attrs = params.get("attrs")
        with platform.read() as session:
            entity = _service(platform).retrieve_entity(
                session,
                actor,
                entity_id,
                attrs=None if attrs is None else frozenset(attrs.split(",")),
                key_values="keyValues" in options,
                context_in_body=ld,
            )
        return entity, None

    return await run_in_threadpool(_answer, request, platform, found, build)


@router.get("/temporal/entities")
async def query_temporal(
    request: Request, platform: PlatformDep, found: ActorOrProblem
) -> Response:
    """The history of the entities a query selects (`type`, `id`, `q`, `georel` …, paged by
    `limit`), in the time range of `timerel`; aggregated with `aggrMethods`."""

    def build(actor: Actor, params: Mapping[str, str], ld: bool) -> tuple[Any, int | None]:
        entity_params, temporal_params = _split(params)
        query = parse_entity_query(entity_params)
        temporal = parse_temporal_query(temporal_params)
        with platform.read() as session:
            page = _service(platform).temporal_query(
                session, actor, query, temporal, context_in_body=ld
            )
        return page.entities, page.total if query.count else None

    return await run_in_threadpool(_answer, request, platform, found, build)


@router.get("/temporal/entities/{entity_id}")
async def retrieve_temporal(
    request: Request, platform: PlatformDep, found: ActorOrProblem, entity_id: str
) -> Response:
    """One entity's history: raw instances (normalized, or `options=temporalValues`) bounded by
    `lastN`, or with `aggrMethods` and `aggrPeriodDuration` the aggregated representation."""

    def build(actor: Actor, params: Mapping[str, str], ld: bool) -> tuple[Any, int | None]:
        if unknown := set(params) - TEMPORAL_PARAMS:
            raise bad_request(f"parameter {', '.join(sorted(unknown))} is not supported here")
        temporal = parse_temporal_query(params)
        with platform.read() as session:
            entity = _service(platform).temporal_entity(
                session, actor, entity_id, temporal, context_in_body=ld
            )
        return entity, None

    return await run_in_threadpool(_answer, request, platform, found, build)
