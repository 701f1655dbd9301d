"""HTML shells of the operator console (运营控制台).

Each page is a Jinja2 template with the header, labels and empty regions; its ES module in
static/js/pages fills them from the JSON API with the bearer token kept in sessionStorage. The
server renders the labels in the language of the `cityops_lang` cookie (zh-CN unless "en"), which
the header's language switch keeps in step with localStorage, so a page never flashes the other
language."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

WEB_DIR = Path(__file__).resolve().parent.parent
STATIC_DIR = WEB_DIR / "static"
TEMPLATES = Jinja2Templates(directory=WEB_DIR / "templates")
LANGS = ("zh-CN", "en")
LANG_COOKIE = "cityops_lang"

router = APIRouter(include_in_schema=False)


@cache
def dictionary(lang: str) -> dict[str, str]:
    """The UI strings of one language (static/i18n/<lang>.json, a flat key → text map)."""
    raw: dict[str, str] = json.loads((STATIC_DIR / "i18n" / f"{lang}.json").read_text("utf-8"))
    return raw


def page_lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, LANGS[0])
    return lang if lang in LANGS else LANGS[0]


def render(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    strings = dictionary(lang)
    fallback = dictionary(LANGS[0])

    def t(key: str) -> str:
        return strings.get(key) or fallback.get(key) or key

    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": t, "page": page, **context},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request) -> HTMLResponse:
    return render(request, "login.html", "login")


@router.get("/", response_class=HTMLResponse)
def workbench_page(request: Request) -> HTMLResponse:
    """工作台: the signed-in user's queue."""
    return render(request, "workbench.html", "workbench")


@router.get("/cases", response_class=HTMLResponse)
def cases_page(request: Request) -> HTMLResponse:
    return render(request, "cases.html", "cases")


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_page(request: Request) -> HTMLResponse:
    return render(request, "case_new.html", "case_new")


@router.get("/cases/{case_id:int}", response_class=HTMLResponse)
def case_page(request: Request, case_id: int) -> HTMLResponse:
    return render(request, "case_detail.html", "case_detail", case_id=case_id)


@router.get("/console/hotline", response_class=HTMLResponse)
def hotline_page(request: Request) -> HTMLResponse:
    """热线受理台: the operator's screen for a call in progress."""
    return render(request, "hotline.html", "hotline")


@router.get("/console/citizen", response_class=HTMLResponse)
def citizen_page(request: Request) -> HTMLResponse:
    """市民服务: the 三率 per department or street and month, and the notification outbox."""
    return render(request, "citizen.html", "citizen")


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request) -> HTMLResponse:
    return render(request, "map.html", "case_map")
