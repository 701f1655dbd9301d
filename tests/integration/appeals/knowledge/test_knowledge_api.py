"""The knowledge base through HTTP: ranked search, the full list, reading one article, and
writing (admins and shift leaders), on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

import pytest
from case_city import City, build_city
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.actor import SYSTEM
from cityops.org.public import NewUser

ARTICLE: dict[str, Any] = {
    "code": "KB031",
    "title": "犬只登记",
    "keywords": ["养狗", "犬证", "狗证"],
    "answer": "请到居住地公安机关指定的登记点办理犬只登记，具体以当地公布为准。",
    "category_code": "A1301",
    "department_code": "GAJ",
    "department_name": "公安局",
}


@pytest.fixture
def city(platform: Platform, client: TestClient) -> City:
    base = build_city(platform, client)
    with platform.uow() as uow:
        platform.org.create_user(
            uow,
            SYSTEM,
            NewUser(username="adm", password="correct horse battery", roles=("admin",)),
        )
        platform.knowledge.load_defaults(uow, SYSTEM)
    return base


def _get(city: City, user: str, path: str, expect: int = 200, **params: Any) -> Any:
    r = city.client.get(f"/api/v1/knowledge{path}", params=params, headers=city.auth(user))
    assert r.status_code == expect, r.text
    return r.json()


def test_search_ranks_and_the_list_is_in_code_order(city: City) -> None:
    hits = _get(city, "op", "", q="社保卡丢了怎么补办", limit=3)
    assert hits[0]["code"] == "KB004"
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    every = _get(city, "op", "")
    assert [a["code"] for a in every] == [f"KB{i:03d}" for i in range(1, 31)]
    assert all(a["score"] is None for a in every)
    assert _get(city, "disp", "/KB009")["title"] == "新生儿户口登记（落户）"
    assert _get(city, "op", "/KB999", expect=404)["error"]["code"] == "article_not_found"
    assert (
        _get(city, "h_cgj", "", expect=403, q="公积金")["error"]["code"] == "cannot_read_knowledge"
    )
    assert _get(city, "op", "", expect=422, limit=99)["error"]["code"] == "invalid_request"


def test_admins_and_shift_leaders_write(city: City) -> None:
    def post(user: str, body: dict[str, Any], expect: int) -> Any:
        r = city.client.post("/api/v1/knowledge", json=body, headers=city.auth(user))
        assert r.status_code == expect, r.text
        return r.json()

    assert post("op", ARTICLE, 403)["error"]["code"] == "cannot_manage_knowledge"
    created = post("adm", ARTICLE, 201)
    assert (created["updated_by"], created["active"]) == ("adm", True)
    assert post("adm", ARTICLE, 409)["error"]["code"] == "article_exists"
    bad = post("adm", {**ARTICLE, "code": "KB032", "category_code": "E9001"}, 422)
    assert bad["error"]["code"] == "invalid_article_category"
    assert _get(city, "op", "", q="我家养狗要办狗证吗")[0]["code"] == "KB031"

    body = {k: v for k, v in ARTICLE.items() if k != "code"}
    r = city.client.put(
        "/api/v1/knowledge/KB031", json={**body, "active": False}, headers=city.auth("lead")
    )
    assert r.status_code == 200, r.text
    assert (r.json()["updated_by"], r.json()["active"]) == ("lead", False)
    assert [h["code"] for h in _get(city, "op", "", q="我家养狗要办狗证吗")] == []
    assert "KB031" not in [a["code"] for a in _get(city, "op", "")]
    retired = _get(city, "adm", "", include_inactive=True)
    assert [a["code"] for a in retired if not a["active"]] == ["KB031"]
    _get(city, "op", "", expect=403, include_inactive=True)
    r = city.client.put("/api/v1/knowledge/KB777", json=body, headers=city.auth("adm"))
    assert (r.status_code, r.json()["error"]["code"]) == (404, "article_not_found")
