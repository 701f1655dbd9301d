"""A method a path does not take is a 405 whose Allow header and message list every method the
path takes — also where they are separate routes (GET and POST /api/v1/cases), for which
Starlette named only the first route's."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/cases", ["GET", "POST"]),
        ("OPTIONS", "/api/v1/cases", ["GET", "POST"]),
        ("PATCH", "/api/v1/categories/A01", ["GET", "PUT"]),
        ("PUT", "/api/v1/auth/api-tokens", ["GET", "POST"]),
        ("POST", "/portal", ["GET"]),
        ("POST", "/static/css/console.css", ["GET", "HEAD"]),  # a mount's own 405
    ],
)
def test_405_lists_every_method_the_path_takes(
    client: TestClient, method: str, path: str, allowed: list[str]
) -> None:
    r = client.request(method, path)
    assert r.status_code == 405
    assert r.headers["Allow"] == ", ".join(allowed)
    assert r.json() == {
        "error": {
            "code": "method_not_allowed",
            "message": f"{method} is not allowed here; use {', '.join(allowed)}",
            "details": {"allowed": allowed},
        }
    }
