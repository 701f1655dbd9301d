"""API: workflow actions on a case. One route per action of the configured case types (the union
of their workflows, `platform.cases.case_types`: `action_router`, built with the app), each with
the action's own body in OpenAPI, and the declarations the console builds its action forms from.
Rules live in the action specs; this module only speaks HTTP."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response
from pydantic import BaseModel

from cityops.cases import public as cp
from cityops.kernel.request_keys import request_key
from cityops.web.api.cases import CasePublic, IdempotencyKeyH, replay_response
from cityops.web.deps import CurrentActor, PlatformDep
from cityops.web.params import RowId
from cityops.web.responses import model_response

router = APIRouter(prefix="/api/v1", tags=["cases"])


class FormFieldPublic(BaseModel):
    """One field of an action's form: `label` is an i18n key; `when` names the yes/no field
    that must be answered yes for this one to be asked."""

    name: str
    kind: str
    required: bool
    label: str
    when: str | None
    min: float | None
    choices: list[str]


class ActionPublic(BaseModel):
    name: str
    title: str
    roles: list[str]
    from_statuses: list[str]
    to_status: str | None
    caution: bool
    fields: list[FormFieldPublic]
    case_types: list[str]  # the case types that offer it

    @classmethod
    def of(cls, spec: cp.ActionSpec[Any], case_types: list[str]) -> ActionPublic:
        return cls(
            name=spec.name,
            title=spec.title,
            roles=sorted(r.value for r in spec.roles),
            from_statuses=[s.value for s in cp.CaseStatus if s in spec.sources],
            to_status=spec.target.value if spec.target else None,
            caution=spec.caution,
            fields=[
                FormFieldPublic(
                    name=f.name,
                    kind=f.kind,
                    required=f.required,
                    label=f.label or f"field.{f.name}",
                    when=f.when,
                    min=f.min,
                    choices=list(f.choices),
                )
                for f in spec.form
            ],
            case_types=case_types,
        )


@router.get("/case-actions", response_model=list[ActionPublic])
def list_case_actions(platform: PlatformDep, actor: CurrentActor) -> list[ActionPublic]:
    """The actions of the configured case types in the order they are offered: who takes them,
    from which statuses, the fields of each one's form and the case types that offer it."""
    types = platform.cases.case_types
    return [ActionPublic.of(spec, types.offering(spec.name)) for spec in types.actions]


async def _act(
    platform: PlatformDep,
    actor: CurrentActor,
    case_id: int,
    action: str,
    body: cp.ActionBody,
    idempotency_key: str | None = None,
) -> Response:
    # the key names the step on this case: the same body on another case is another request
    key = request_key(
        idempotency_key, f"action:{action}", {"case_id": case_id, **body.model_dump(mode="json")}
    )
    # as intake: checked on a read session here, written by the group-commit writer
    with platform.read() as session:
        done = platform.cases.replayed(session, actor, key) if key else None
        if done is not None:
            return replay_response(done)
        prepared = platform.cases.prepare_action(
            session, actor, case_id, action, body, request_key=key
        )
    stored = await platform.writes.run_many(platform.cases.store_actions, prepared)
    return model_response(CasePublic.of(platform.cases.present(prepared, stored)))


def _route(spec: cp.ActionSpec[Any]) -> Callable[..., Awaitable[Response]]:
    async def act(
        case_id: RowId,
        body: cp.ActionBody,
        platform: PlatformDep,
        actor: CurrentActor,
        idempotency_key: IdempotencyKeyH = None,
    ) -> Response:
        return await _act(platform, actor, case_id, spec.name, body, idempotency_key)

    act.__annotations__["body"] = spec.body  # the action's own body, as OpenAPI shows it
    act.__doc__ = f"{spec.title} ({spec.name}): " + ", ".join(sorted(r.value for r in spec.roles))
    return act


@functools.lru_cache(maxsize=4)
def action_router(case_types: cp.CaseTypes) -> APIRouter:
    """One POST route per action of the configured case types, then the 404 for any other
    name; included by the app factory after `router`. Built once per case types (the same
    object for every platform of a process): its routes cost about 20 ms to build, an app that
    includes them next to nothing."""
    actions = APIRouter(prefix="/api/v1", tags=["cases"])
    for spec in case_types.actions:
        actions.add_api_route(
            f"/cases/{{case_id}}/actions/{spec.name}",
            _route(spec),
            methods=["POST"],
            response_model=CasePublic,
            name=f"case_{spec.name}",
            summary=f"{spec.name} {spec.title}",
        )
    actions.add_api_route(
        "/cases/{case_id}/actions/{action}",
        unknown_action,
        methods=["POST"],
        include_in_schema=False,
    )
    return actions


def unknown_action(
    case_id: RowId, action: str, platform: PlatformDep, actor: CurrentActor
) -> Response:
    """Any other name: 404 naming the actions."""
    platform.cases.case_types.actions.spec(action)  # raises NotFound (unknown_action)
    raise AssertionError("every action of the case types has its own route")
