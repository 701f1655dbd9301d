"""The webhook API through the real app, the acting user named by an X-Test-Role header."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import Request
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import Actor, Role
from cityops.kernel.errors import Unauthenticated
from cityops.web.app import create_app
from cityops.web.deps import current_actor

ROLES = {
    "admin": frozenset({Role.admin}),
    "dispatcher": frozenset({Role.dispatcher}),
    "leader": frozenset({Role.leader}),
}


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    """The real app; the acting user is named by an X-Test-Role header (org is not involved)."""

    def actor_from_header(request: Request) -> Actor:
        role = request.headers.get("X-Test-Role")
        if role is None:
            raise Unauthenticated("sign in first")
        return Actor(user_id=1, username=f"{role}1", roles=ROLES[role])

    app = create_app(platform)
    app.dependency_overrides[current_actor] = actor_from_header
    with TestClient(app) as client:
        yield client
