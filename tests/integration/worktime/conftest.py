"""The working calendar API through the real app, the acting user named by an X-Test-Role
header (org is not involved)."""

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


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    def actor_from_header(request: Request) -> Actor:
        role = request.headers.get("X-Test-Role")
        if role is None:
            raise Unauthenticated("sign in first")
        return Actor(user_id=1, username=f"{role}1", roles=frozenset({Role(role)}))

    app = create_app(platform)
    app.dependency_overrides[current_actor] = actor_from_header
    with TestClient(app) as client:
        yield client
