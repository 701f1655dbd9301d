"""Domain errors → HTTP, in one place. Every error body is {"error": {"code", "message", ...}}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.routing import Match, Mount

from cityops.kernel.errors import (
    Conflict,
    DomainError,
    NotFound,
    PermissionDenied,
    Unauthenticated,
    ValidationFailed,
)
from cityops.web.pages.routes import render
from cityops.web.session import SignInRequired

STATUS: list[tuple[type[DomainError], int]] = [
    (NotFound, 404),
    (Unauthenticated, 401),
    (PermissionDenied, 403),
    (ValidationFailed, 422),
    (Conflict, 409),
]


def status_for(exc: DomainError) -> int:
    for cls, status in STATUS:
        if isinstance(exc, cls):
            return status
    return 400


# the codes of HTTP errors raised by the framework or with HTTPException (no domain error)
HTTP_CODES = {
    404: "not_found",
    405: "method_not_allowed",
    413: "body_too_large",
    429: "rate_limited",
}
HTTP_ERROR = "http_error"

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


# What a mount serves: the app's only mount is its static files.
MOUNT_METHODS = ["GET", "HEAD"]


def allowed_methods(request: Request) -> list[str]:
    """Every method some route takes at this path. Starlette's own 405 names the methods of the
    first route that matched the path only, where GET and POST on one path are two routes."""
    # matched from the app's root: inside a mount the scope's root_path is the mount's
    root = request.scope.get("app_root_path", "")
    routes = [r for r in request.app.router.routes if not isinstance(r, Mount)]
    allowed = []
    for method in METHODS:
        scope = {**request.scope, "method": method, "root_path": root}
        if any(route.matches(scope)[0] is Match.FULL for route in routes):
            allowed.append(method)
    return allowed or MOUNT_METHODS  # no route takes the path: a mount answered the 405


def error_body(code: str, message: str, **details: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return {"error": body}


def invalid_json_body(err: Mapping[str, Any], document: Any) -> dict[str, Any]:
    """The error body for a request body that is not valid JSON: the decoder's message and where
    it stopped, as line and column (FastAPI reports only the character offset)."""
    loc = err.get("loc", ())
    pos = loc[-1] if loc and isinstance(loc[-1], int) else None
    reason = str((err.get("ctx") or {}).get("error") or "cannot be parsed")
    message = f"the body is not valid JSON: {reason}"
    if pos is None or not isinstance(document, str):
        return error_body("invalid_json", message)
    line = document.count("\n", 0, pos) + 1
    column = pos - document.rfind("\n", 0, pos)
    return error_body(
        "invalid_json",
        f"{message} at line {line} column {column}",
        line=line,
        column=column,
    )


def is_api_path(path: str) -> bool:
    """Paths whose errors are JSON whatever the client: the API. Elsewhere (console, portal,
    their files) an unknown URL is an HTML page."""
    return path == "/api" or path.startswith("/api/")


def error_page(request: Request, status: int) -> HTMLResponse:
    """The HTML page of an HTTP error, in the portal's style under /portal, else the
    console's, in the language of the request (zh-CN or en)."""
    portal = request.url.path == "/portal" or request.url.path.startswith("/portal/")
    response = render(
        request,
        "error_page.html",
        "error_page",
        status=status,
        area="portal" if portal else "console",
        home="/portal" if portal else "/",
        base_template="portal_base.html" if portal else "base.html",
    )
    response.status_code = status
    return response


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(DomainError)
    async def _domain(_req: Request, exc: DomainError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthenticated) else None
        return JSONResponse(
            error_body(exc.code, exc.message, **exc.details),
            status_code=status_for(exc),
            headers=headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_req: Request, exc: RequestValidationError) -> JSONResponse:
        for err in exc.errors():
            if err.get("type") == "json_invalid":  # the body did not parse: no field to name
                return JSONResponse(invalid_json_body(err, exc.body), status_code=422)
        problems = []
        for err in exc.errors():
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "body")
            problems.append({"field": loc, "problem": err.get("msg", "invalid")})
        summary = "; ".join(f"{p['field'] or 'body'}: {p['problem']}" for p in problems)
        return JSONResponse(
            error_body("invalid_request", f"invalid request — {summary}", problems=problems),
            status_code=422,
        )

    @app.exception_handler(Exception)
    async def _unexpected(req: Request, exc: Exception) -> Response:
        """A fault of the server (a bug, a lost database): 500 — an HTML page outside /api,
        the JSON `internal_error` under it, with the request's id to find the logged
        traceback by. The server still logs the exception."""
        if not is_api_path(req.url.path):
            return error_page(req, 500)
        request_id = req.scope.get("state", {}).get("request_id")
        details = {"request_id": request_id} if request_id else {}
        message = "something went wrong on the server; the error has been logged"
        return JSONResponse(error_body("internal_error", message, **details), status_code=500)

    @app.exception_handler(SignInRequired)
    async def _sign_in(_req: Request, exc: SignInRequired) -> RedirectResponse:
        return RedirectResponse(f"/login?next={quote(exc.next_path, safe='')}", status_code=303)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_req: Request, exc: StarletteHTTPException) -> JSONResponse | HTMLResponse:
        if exc.status_code == 404 and not is_api_path(_req.url.path):
            return error_page(_req, 404)
        if exc.status_code == 400 and isinstance(exc.__cause__, UnicodeDecodeError):
            # FastAPI's "error parsing the body" for a JSON body that is not UTF-8 text
            return JSONResponse(
                error_body("invalid_json", "the body is not valid JSON: it is not UTF-8 text"),
                status_code=422,
            )
        code = HTTP_CODES.get(exc.status_code, HTTP_ERROR)
        headers = dict(getattr(exc, "headers", None) or {})
        details: dict[str, Any] = {}
        message = str(exc.detail)
        if "Retry-After" in headers:
            details["retry_after"] = int(headers["Retry-After"])
        if exc.status_code == 405:
            allowed = allowed_methods(_req)
            headers["Allow"] = ", ".join(allowed)
            details["allowed"] = allowed
            message = f"{_req.method} is not allowed here; use {', '.join(allowed)}"
        return JSONResponse(
            error_body(code, message, **details),
            status_code=exc.status_code,
            headers=headers or None,
        )
