"""The working calendar API through the real app, the acting user named by an X-Test-Role
header (org is not involved)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from role_header import acting_by_role_header

from cityops.app import Platform


@pytest.fixture
def api(platform: Platform) -> Iterator[TestClient]:
    with acting_by_role_header(platform) as client:
        yield client
