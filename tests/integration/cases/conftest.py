"""The case tests' city: built by tests/support/case_city.py (shared with other domains' tests)."""

from __future__ import annotations

import pytest
from case_city import (
    GRID,
    LAMP,
    LEAK,
    LITTER,
    OTHER_GRID,
    OTHER_STREET,
    PASSWORD,
    STREET,
    URGENT,
    USERS,
    WORKING,
    City,
    build_city,
)
from fastapi.testclient import TestClient

from cityops.app import Platform

__all__ = [
    "GRID",
    "LAMP",
    "LEAK",
    "LITTER",
    "OTHER_GRID",
    "OTHER_STREET",
    "PASSWORD",
    "STREET",
    "URGENT",
    "USERS",
    "WORKING",
    "City",
]


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    return build_city(platform, client)
