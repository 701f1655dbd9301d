"""HTML shells of the operator console (运营控制台).

Each page is a Jinja2 template with the header, labels and empty regions; its ES module in
static/js/pages fills them from the JSON API, signed in by the session cookie (web.session; a
page asked for without a session redirects to /login?next=). The
server renders the labels in the language of the `cityops_lang` cookie (zh-CN unless "en"), which
the header's language switch keeps in step with localStorage, so a page never flashes the other
language.

The UI strings are static/i18n/<lang>.json with the deployment's area level names put in
(`ui_strings`): `level.<id>` is the configured name of that level, and `{level.<id>}` inside any
string is replaced by it ("所在{level.street}/{level.community}" → "所在乡镇/行政村"). Pages render
with these, and the scripts load the same from /i18n/<lang>.json."""

from __future__ import annotations

import hashlib
import json
from functools import cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from cityops.kernel.actor import Role
from cityops.kernel.errors import NotFound
from cityops.web.deps import signed_in_actor
from cityops.web.session import SignInRequired, same_site_path

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


def ui_strings(request: Request, lang: str) -> dict[str, str]:
    """The UI strings of one language with the platform's area level names put in (computed
    once per app and language)."""
    cache: dict[str, dict[str, str]] = request.app.state.ui_strings  # set by create_app
    found = cache.get(lang)
    if found is None:
        levels = request.app.state.platform.geo.levels
        found = {key: levels.fill(text, lang) for key, text in dictionary(lang).items()}
        found.update(levels.ui_strings(lang))
        cache[lang] = found
    return found


def page_lang(request: Request) -> str:
    lang = request.cookies.get(LANG_COOKIE, LANGS[0])
    return lang if lang in LANGS else LANGS[0]


def render(request: Request, template: str, page: str, **context: Any) -> HTMLResponse:
    lang = page_lang(request)
    strings = ui_strings(request, lang)
    fallback = ui_strings(request, LANGS[0])

    def t(key: str) -> str:
        return strings.get(key) or fallback.get(key) or key

    return TEMPLATES.TemplateResponse(
        request,
        template,
        {"lang": lang, "t": t, "page": page, **context},
        headers={"Cache-Control": "no-store"},
    )


@router.get("/i18n/{lang}.json")
def ui_dictionary(request: Request, lang: str) -> Response:
    """The UI strings of one language (zh-CN, en) as the scripts use them: with this
    deployment's area level names."""
    if lang not in LANGS:
        raise NotFound(
            f"no UI strings for {lang!r}: the languages are {', '.join(LANGS)}",
            code="unknown_language",
        )
    body = json.dumps(ui_strings(request, lang), ensure_ascii=False).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:20]}"'  # asked again each time: 304 if unchanged
    headers = {"Cache-Control": "no-cache", "ETag": etag}
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


async def console_session(request: Request) -> None:
    """A console page needs a signed-in session (web.session): without one, a redirect to
    /login?next=<this page> (SignInRequired, answered in web.errors)."""
    if await signed_in_actor(request, request.app.state.platform) is None:
        query = request.url.query
        raise SignInRequired(request.url.path + (f"?{query}" if query else ""))


SIGNED_IN = [Depends(console_session)]


@router.get("/login", response_class=HTMLResponse, response_model=None)
async def login_page(request: Request, next: str = "/") -> Response:
    """登录; already signed in: straight on to `next` (a path on this site only)."""
    if await signed_in_actor(request, request.app.state.platform) is not None:
        return RedirectResponse(same_site_path(next), status_code=303)
    return render(request, "login.html", "login")


@router.get("/", response_class=HTMLResponse, dependencies=SIGNED_IN)
def workbench_page(request: Request) -> HTMLResponse:
    """工作台: the signed-in user's queue."""
    return render(request, "workbench.html", "workbench")


@router.get("/cases", response_class=HTMLResponse, dependencies=SIGNED_IN)
def cases_page(request: Request) -> HTMLResponse:
    return render(request, "cases.html", "cases")


@router.get("/cases/new", response_class=HTMLResponse, dependencies=SIGNED_IN)
def new_case_page(request: Request) -> HTMLResponse:
    return render(request, "case_new.html", "case_new")


@router.get("/cases/{case_id:int}", response_class=HTMLResponse, dependencies=SIGNED_IN)
def case_page(request: Request, case_id: int) -> HTMLResponse:
    return render(request, "case_detail.html", "case_detail", case_id=case_id)


@router.get("/console/hotline", response_class=HTMLResponse, dependencies=SIGNED_IN)
def hotline_page(request: Request) -> HTMLResponse:
    """热线受理台: the operator's screen for a call in progress."""
    return render(request, "hotline.html", "hotline")


@router.get("/console/citizen", response_class=HTMLResponse, dependencies=SIGNED_IN)
def citizen_page(request: Request) -> HTMLResponse:
    """市民服务: the 三率 per department or street and month, and the notification outbox."""
    return render(request, "citizen.html", "citizen")


# the levels the case map draws, where the deployment uses them
MAP_LEVELS = ("street", "community", "grid")


@router.get("/map", response_class=HTMLResponse, dependencies=SIGNED_IN)
def map_page(request: Request) -> HTMLResponse:
    in_use = {level.value for level in request.app.state.platform.geo.levels.in_use}
    levels = [level for level in MAP_LEVELS if level in in_use]
    return render(request, "map.html", "case_map", map_levels=levels)


@router.get("/admin", response_class=HTMLResponse)
async def admin_page(request: Request) -> HTMLResponse:
    """系统管理: users, departments, the responsibility list, the knowledge base, Open311 keys,
    webhooks and the working calendar, each through its API. Administrators only: anyone else
    signed in gets the page as a 403 that says so (its script loads nothing)."""
    actor = await signed_in_actor(request, request.app.state.platform)
    if actor is None:
        raise SignInRequired(request.url.path)
    if not actor.has(Role.admin):
        denied = render(request, "admin.html", "admin", denied=True)
        denied.status_code = 403
        return denied
    return render(request, "admin.html", "admin", denied=False)
