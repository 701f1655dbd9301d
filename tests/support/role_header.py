"""The real app with the acting user named by an X-Test-Role header (org is not involved): API
tests of a domain whose rules depend only on the role say `X-Test-Role: admin`; without the
header the request is unauthenticated."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from fastapi import Request
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import Unauthenticated
from cityops.web.app import create_app
from cityops.web.deps import current_actor

HEADER = "X-Test-Role"


def actor_from_header(request: Request) -> Actor:
    role = request.headers.get(HEADER)
    if role is None:
        raise Unauthenticated("sign in first")
    return Actor(user_id=1, username=f"{role}1", roles=frozenset({Role(role)}))


@contextmanager
def acting_by_role_header(platform: Platform) -> Iterator[TestClient]:
    app = create_app(platform)
    app.dependency_overrides[current_actor] = actor_from_header
    with TestClient(app) as client:
        yield client
