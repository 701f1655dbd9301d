"""Bodies over CITYOPS_MAX_BODY_BYTES (1,000,000 by default) are a 413 body_too_large, whether
the client announces the size (Content-Length) or streams the body without it (chunked)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

TOO_LARGE = {"error": {"code": "body_too_large", "message": "request body exceeds 1000000 bytes"}}
# FastAPI parses the first (JSON) and the last (a form); Open311 reads its body itself
PATHS = [
    ("/api/v1/cases", "application/json"),
    ("/open311/v2/requests.json", "application/json"),
    ("/api/v1/auth/token", "application/x-www-form-urlencoded"),
]


def _chunks(total: int, size: int = 100_000) -> Iterator[bytes]:
    sent = 0
    while sent < total:
        yield b"x" * min(size, total - sent)
        sent += size


@pytest.mark.parametrize(("path", "ctype"), PATHS, ids=[p for p, _ in PATHS])
@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_oversized_bodies_are_413(client: TestClient, path: str, ctype: str, chunked: bool) -> None:
    body = _chunks(1_200_000) if chunked else b"x" * 1_200_000
    r = client.post(path, content=body, headers={"Content-Type": ctype})
    assert r.status_code == 413, r.text
    assert r.json() == TOO_LARGE
    assert ("content-length" in r.request.headers) is not chunked


def test_chunked_body_within_the_limit_is_read(client: TestClient) -> None:
    r = client.post(
        "/api/v1/auth/token",
        content=iter([b"username=nobody&", b"password=not-the-password"]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert "content-length" not in r.request.headers
    assert r.status_code == 401  # read whole and judged: a wrong sign-in, nothing too large
    assert r.json()["error"]["code"] == "invalid_credentials"
