"""The OpenAPI docs page works offline: everything it loads is served by the app itself."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_loads_nothing_from_elsewhere(client: TestClient) -> None:
    r = client.get("/docs")
    assert r.status_code == 200
    html = r.text
    assert re.findall(r"https?://", html) == []  # no CDN, no absolute address of any kind
    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert len(assets) == 3  # script, stylesheet, favicon
    assert "'/openapi.json'" in html
    for path in assets:
        assert path.startswith("/static/vendor/swagger-ui/"), path
        asset = client.get(path)
        assert asset.status_code == 200, f"{path}: run `make assets`"
        assert len(asset.content) > 0
    assert client.get("/openapi.json").json()["info"]["title"].startswith("cityops")


def test_oauth2_redirect_is_served_and_redoc_is_not(client: TestClient) -> None:
    r = client.get("/docs/oauth2-redirect")
    assert r.status_code == 200
    assert re.findall(r"https?://", r.text) == []
    assert client.get("/redoc").status_code == 404
