"""Unknown URLs: an HTML page in the console's or the portal's style, in the request's language,
outside /api; JSON under /api, as every API error."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.web.app import create_app


@pytest.mark.parametrize("path", ["/no-such-page", "/cases/not-a-number", "/console/nothing"])
def test_an_unknown_console_url_is_an_html_page(client: TestClient, path: str) -> None:
    res = client.get(path)
    assert res.status_code == 404
    assert res.headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in res.text
    assert "找不到这个页面" in res.text
    assert "/static/css/console.css" in res.text
    assert 'href="/"' in res.text


def test_the_page_speaks_the_language_of_the_request(client: TestClient) -> None:
    client.cookies.set("cityops_lang", "en")
    res = client.get("/no-such-page")
    assert res.status_code == 404
    assert '<html lang="en">' in res.text
    assert "Page not found" in res.text


def test_an_unknown_portal_url_is_a_portal_page(client: TestClient) -> None:
    res = client.get("/portal/no-such-page")
    assert res.status_code == 404
    assert res.headers["content-type"].startswith("text/html")
    assert "/static/css/portal.css" in res.text
    assert "返回市民门户" in res.text


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/nothing", "/api"])
def test_an_unknown_api_url_is_json(client: TestClient, path: str) -> None:
    res = client.get(path, headers={"Accept": "text/html"})
    assert res.status_code == 404
    assert res.headers["content-type"] == "application/json"
    assert res.json()["error"]["code"] == "not_found"


def test_a_domain_not_found_under_api_stays_json(client: TestClient) -> None:
    res = client.get("/i18n/fr.json")
    assert res.status_code == 404
    assert res.json()["error"]["code"] == "unknown_language"


@pytest.fixture
def faulty(platform: Platform) -> Iterator[TestClient]:
    """The app with two routes that fail as a bug would: one under /api, one page."""
    app = create_app(platform)

    def boom() -> None:
        raise RuntimeError("a bug")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client


def test_a_server_fault_under_api_is_json_with_the_request_id(faulty: TestClient) -> None:
    res = faulty.get("/api/v1/boom", headers={"X-Request-ID": "req-boom-1"})
    assert res.status_code == 500
    error = res.json()["error"]
    assert error["code"] == "internal_error"
    assert error["details"] == {"request_id": "req-boom-1"}
    assert "a bug" not in res.text  # no internals in the answer


def test_a_server_fault_on_a_page_is_an_html_page(faulty: TestClient) -> None:
    res = faulty.get("/boom")
    assert res.status_code == 500
    assert res.headers["content-type"].startswith("text/html")
    assert "服务器出错了" in res.text
    assert "a bug" not in res.text
