"""Static checks of the console assets (no browser): both dictionaries carry every UI string the
templates and scripts use, and no script writes HTML from data."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

WEB = Path(__file__).resolve().parents[2] / "src" / "cityops" / "web"
STATIC = WEB / "static"
SCRIPTS = sorted(p for p in (STATIC / "js").rglob("*.js"))
TEMPLATES = sorted((WEB / "templates").glob("*.html"))
PAGES = ["login", "workbench", "cases", "case_new", "case_detail", "case_map", "hotline", "citizen"]


def dictionary(lang: str) -> dict[str, str]:
    data: dict[str, str] = json.loads((STATIC / "i18n" / f"{lang}.json").read_text("utf-8"))
    return data


def used_keys() -> set[str]:
    keys: set[str] = set()
    for path in TEMPLATES:
        text = path.read_text("utf-8")
        keys |= set(re.findall(r"""data-i18n(?:-[a-z-]+)?="([\w.]+)\"""", text))
        keys |= set(re.findall(r"""t\('([\w.]+)'\)""", text))
    prefixes = {key.split(".")[0] for key in dictionary("zh-CN")}
    for path in SCRIPTS:
        text = path.read_text("utf-8")
        keys |= set(re.findall(r"""\bt\("([\w.]+)\"""", text))
        # keys kept in tables (["case.number", …], add("queue.to_sign", …))
        literals = re.findall(r""""([a-z_]+\.[a-z_]+)\"""", text)
        keys |= {k for k in literals if k.split(".")[0] in prefixes}
    keys |= {f"title.{page}" for page in PAGES}
    return keys


def test_both_languages_have_the_same_keys() -> None:
    zh, en = dictionary("zh-CN"), dictionary("en")
    assert sorted(set(zh) ^ set(en)) == []
    assert [k for k, v in {**zh, **en}.items() if not v.strip()] == []


@pytest.mark.parametrize("lang", ["zh-CN", "en"])
def test_every_string_used_is_translated(lang: str) -> None:
    assert sorted(used_keys() - set(dictionary(lang))) == []


@pytest.mark.parametrize(
    ("kind", "names"),
    [
        (
            "status",
            "reported registered rejected cancelled dispatched in_progress suspended "
            "handled closed",
        ),
        (
            "action",
            "register reject cancel merge dispatch sign return request_extension "
            "approve_extension deny_extension suspend resume supervise finish verify evaluate "
            "self_handle answer",
        ),
    ],
)
def test_every_status_and_action_has_its_chinese_term(kind: str, names: str) -> None:
    zh = dictionary("zh-CN")
    for name in names.split():
        assert re.search(r"[\u4e00-\u9fff]", zh[f"{kind}.{name}"]), f"{kind}.{name}"


@pytest.mark.parametrize("path", SCRIPTS, ids=lambda p: p.name)
def test_scripts_never_write_html(path: Path) -> None:
    text = path.read_text("utf-8")
    assert not re.search(r"\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write", text)
