"""Knowledge articles follow the text rule (kernel/text.py): title, keywords, answer and the
department's name are stored without control characters, through HTTP and the import."""

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
    "title": "犬只\x00登记",
    "keywords": ["养狗\x01", "犬证\u202e"],
    "answer": "请到居住地公安机关\x0b指定的登记点办理。\r\n具体以当地公布为准。",
    "category_code": "A1301",
    "department_code": "GAJ",
    "department_name": "公安\x1f局",
}
CLEAN = {
    "title": "犬只登记",
    "keywords": ["养狗", "犬证"],
    "answer": "请到居住地公安机关指定的登记点办理。\n具体以当地公布为准。",
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
    return base


def test_an_article_with_control_characters_is_stored_clean(city: City) -> None:
    r = city.client.post("/api/v1/knowledge", json=ARTICLE, headers=city.auth("adm"))
    assert r.status_code == 201, r.text
    assert {k: r.json()[k] for k in CLEAN} == CLEAN


def test_an_imported_article_is_stored_clean(city: City) -> None:
    with city.platform.uow() as uow:
        city.platform.knowledge.import_articles(uow, SYSTEM, [ARTICLE])
    with city.platform.read() as s:
        article = city.platform.knowledge.get_article(s, SYSTEM, "KB031")
    assert (article.title, list(article.keywords), article.answer, article.department_name) == (
        CLEAN["title"],
        CLEAN["keywords"],
        CLEAN["answer"],
        CLEAN["department_name"],
    )
