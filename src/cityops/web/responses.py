"""Responses serialised in the endpoint's own thread.

FastAPI runs a plain `def` endpoint in the thread pool and then, for its response model, hops
into the pool a second time to serialise the result. On the busy write endpoints (intake and
case actions) that second hop costs more than the serialisation itself, so they return the
JSON ready-made; the decorator's `response_model` still documents the shape in OpenAPI."""

from __future__ import annotations

from fastapi import Response
from pydantic import BaseModel


def model_response(model: BaseModel, status_code: int = 200) -> Response:
    return Response(
        content=model.model_dump_json(by_alias=True),
        status_code=status_code,
        media_type="application/json",
    )
