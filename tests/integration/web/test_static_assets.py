"""What a slow phone link needs from the server (issue 14, section 6): static files under
versioned URLs kept for a year, everything else asked again; bodies compressed; the portal's
category picker fed by a small, cacheable list."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.demo.accounts import seed_org
from cityops.kernel.actor import SYSTEM
from cityops.taxonomy.public import load_default_taxonomy
from cityops.web.assets import IMMUTABLE, Assets

GZIP = {"Accept-Encoding": "gzip"}


def _versioned(html: str, path: str) -> str:
    found = re.findall(rf"""["']({re.escape(path)}\?v=[0-9a-f]{{12}})["']""", html)
    assert found, f"{path} is not named with a version"
    return found[0]


def test_pages_name_their_files_with_versions_kept_for_a_year(client: TestClient) -> None:
    html = client.get("/portal").text
    for path in ["/static/css/portal.css", "/static/js/portal/portal.js", "/static/js/dom.js"]:
        url = _versioned(html, path)
        r = client.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == IMMUTABLE
    # the import map sends a module's plain URL (a relative import) to its versioned one
    mapping = json.loads(re.search(r'<script type="importmap">(.*?)</script>', html).group(1))
    assert mapping["imports"]["/static/js/i18n.js"] == _versioned(html, "/static/js/i18n.js")
    assert re.search(r'<link rel="modulepreload" href="/static/js/portal/common\.js\?v=', html)


def test_unversioned_or_stale_urls_are_asked_again(client: TestClient) -> None:
    for url in ["/static/css/portal.css", "/static/css/portal.css?v=000000000000"]:
        r = client.get(url)
        assert r.status_code == 200
        assert r.headers["cache-control"] == "no-cache"
        etag = r.headers["etag"]
        again = client.get(url, headers={"If-None-Match": etag})
        assert again.status_code == 304


def test_html_and_api_are_not_kept(client: TestClient) -> None:
    assert client.get("/portal").headers["cache-control"] == "no-store"
    assert "immutable" not in client.get("/api/v1/portal/places").headers.get("cache-control", "")


def test_a_changed_file_gets_a_new_url(tmp_path: Path) -> None:
    (tmp_path / "js").mkdir()
    script = tmp_path / "js" / "a.js"
    script.write_text('import { b } from "./b.js";\n', encoding="utf-8")
    (tmp_path / "js" / "b.js").write_text("export const b = 1;\n", encoding="utf-8")
    assets = Assets(tmp_path, module_dirs=("js",))
    before = assets.url("js/a.js")
    assert assets.module_graph("js/a.js") == ["js/a.js", "js/b.js"]
    script.write_text('import { b } from "./b.js";\nconsole.log(b);\n', encoding="utf-8")
    after = assets.url("js/a.js")
    assert before != after
    assert before.split("?")[0] == after.split("?")[0] == "/static/js/a.js"


def test_bodies_are_compressed_when_asked(client: TestClient) -> None:
    for url in ["/portal", "/static/vendor/leaflet/leaflet.js", "/i18n/zh-CN.json"]:
        r = client.get(url, headers=GZIP)
        assert r.status_code == 200
        assert r.headers["content-encoding"] == "gzip", url
        raw = client.get(url, headers={"Accept-Encoding": "identity"})
        assert "content-encoding" not in raw.headers
        assert r.content == raw.content  # the client undid the compression: the same body
    assert len(gzip.compress(raw.content)) < len(raw.content) / 2


def test_the_case_export_still_streams_compressed(client: TestClient, platform: Platform) -> None:
    seed_org(platform)
    with platform.read() as s:
        token = platform.org.access_token_for_user(s, "dispatcher").access_token
    headers = {"Authorization": f"Bearer {token}", **GZIP}
    r = client.get("/api/v1/cases/export?format=csv", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert r.text.lstrip("\ufeff").splitlines()[0].count(",") > 3  # the header row


def test_the_portal_picker_list_is_small_and_cached(client: TestClient, platform: Platform) -> None:
    seed_org(platform)
    with platform.uow() as uow:
        load_default_taxonomy(uow, platform.taxonomy, SYSTEM)
    full = client.get("/api/v1/categories?leaf_only=true")
    r = client.get("/api/v1/portal/categories")
    assert r.status_code == 200
    items = r.json()
    assert {tuple(sorted(i)) for i in items} == {("code", "name")}
    assert [(i["code"], i["name"]) for i in items] == [(c["code"], c["name"]) for c in full.json()]
    assert len(r.content) < len(full.content) / 3
    assert r.headers["cache-control"] == "public, max-age=300"
    again = client.get("/api/v1/portal/categories", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
    assert again.content == b""


def test_ui_strings_answer_304_when_unchanged(client: TestClient) -> None:
    r = client.get("/i18n/zh-CN.json")
    assert r.headers["cache-control"] == "no-cache"
    again = client.get("/i18n/zh-CN.json", headers={"If-None-Match": r.headers["etag"]})
    assert again.status_code == 304
