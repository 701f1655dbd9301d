"""The console's sign-in session over HTTP: an HttpOnly cookie beside bearer tokens, CSRF for
cookie-borne writes, the sliding idle timeout (moved by the test clock), sign-out, the page
guard's redirect to /login?next= and no open redirect after sign-in."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from cityops.app import Platform
from cityops.kernel.clock import FixedClock
from cityops.web.session import CSRF_COOKIE, SESSION_COOKIE

from .conftest import PASSWORD, SignIn

TOKEN_BODY = {"name": "bridge"}


def start_session(api: TestClient, username: str = "admin", next: str = "/") -> dict[str, object]:
    res = api.post(
        "/api/v1/auth/session", data={"username": username, "password": PASSWORD, "next": next}
    )
    assert res.status_code == 200, res.text
    body: dict[str, object] = res.json()
    return body


def csrf(api: TestClient) -> dict[str, str]:
    return {"X-CSRF-Token": api.cookies[CSRF_COOKIE]}


def only_cookie(value: str) -> dict[str, str]:
    """A Cookie header holding just this session cookie value (a copy kept from before)."""
    return {"Cookie": f"{SESSION_COOKIE}={value}"}


def set_cookies(res: object) -> dict[str, str]:
    """Set-Cookie values of a response by cookie name."""
    found = {}
    for value in res.headers.get_list("set-cookie"):  # type: ignore[attr-defined]
        found[value.split("=", 1)[0]] = value
    return found


def test_sign_in_sets_an_http_only_session_cookie_and_no_token_in_the_body(
    api: TestClient, org: Platform
) -> None:
    res = api.post("/api/v1/auth/session", data={"username": "op1", "password": PASSWORD})
    assert res.status_code == 200, res.text
    body = res.json()
    assert "access_token" not in body
    assert body["user"]["username"] == "op1"
    assert body["idle_minutes"] == org.settings.session_idle_minutes
    cookies = set_cookies(res)
    session = cookies[SESSION_COOKIE].lower()
    assert "httponly" in session
    assert "samesite=lax" in session
    assert "path=/" in session
    assert "secure" not in session  # plain http in a test deployment
    assert "httponly" not in cookies[CSRF_COOKIE].lower()  # the page's scripts read it
    me = api.get("/api/v1/users/me")
    assert me.status_code == 200
    assert me.json()["username"] == "op1"


def test_wrong_password_sets_no_cookie(api: TestClient) -> None:
    res = api.post("/api/v1/auth/session", data={"username": "op1", "password": "nope-nope"})
    assert res.status_code == 401
    assert res.json()["error"]["code"] == "invalid_credentials"
    assert SESSION_COOKIE not in api.cookies


def test_a_cookie_write_needs_the_csrf_header(api: TestClient) -> None:
    start_session(api)
    res = api.post("/api/v1/auth/api-tokens", json=TOKEN_BODY)
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "csrf_failed"
    assert "X-CSRF-Token" in res.json()["error"]["message"]
    wrong = api.post("/api/v1/auth/api-tokens", json=TOKEN_BODY, headers={"X-CSRF-Token": "x"})
    assert wrong.status_code == 403
    assert wrong.json()["error"]["code"] == "csrf_failed"
    ok = api.post("/api/v1/auth/api-tokens", json=TOKEN_BODY, headers=csrf(api))
    assert ok.status_code == 201, ok.text


def test_a_cookie_write_from_another_origin_is_refused_even_with_the_header(
    api: TestClient,
) -> None:
    start_session(api)
    for header, value in [
        ("Origin", "https://evil.example"),
        ("Referer", "https://evil.example/x"),
    ]:
        res = api.post(
            "/api/v1/auth/api-tokens", json=TOKEN_BODY, headers={**csrf(api), header: value}
        )
        assert res.status_code == 403, header
        assert res.json()["error"]["code"] == "csrf_failed"
    same = api.post(
        "/api/v1/auth/api-tokens",
        json=TOKEN_BODY,
        headers={**csrf(api), "Origin": "http://testserver"},
    )
    assert same.status_code == 201


def test_a_bearer_write_needs_no_csrf_header(
    api: TestClient, admin_headers: dict[str, str]
) -> None:
    res = api.post("/api/v1/auth/api-tokens", json=TOKEN_BODY, headers=admin_headers)
    assert res.status_code == 201, res.text


def test_a_sign_in_from_another_site_is_refused(api: TestClient) -> None:
    res = api.post(
        "/api/v1/auth/session",
        data={"username": "op1", "password": PASSWORD},
        headers={"Origin": "https://evil.example"},
    )
    assert res.status_code == 403
    assert res.json()["error"]["code"] == "csrf_failed"
    assert SESSION_COOKIE not in api.cookies


def test_the_session_ends_after_the_idle_time_and_slides_with_use(
    api: TestClient, org: Platform, clock: FixedClock
) -> None:
    start_session(api, "op1")
    idle = timedelta(minutes=org.settings.session_idle_minutes)
    for _ in range(3):  # used every idle-1 minutes: stays open well past the idle time
        clock.advance(idle - timedelta(minutes=1))
        res = api.get("/api/v1/users/me")
        assert res.status_code == 200
        assert SESSION_COOKIE in set_cookies(res)  # re-issued with the new last-seen time
    clock.advance(idle)
    res = api.get("/api/v1/users/me")
    assert res.status_code == 401
    assert "max-age=0" in set_cookies(res)[SESSION_COOKIE].lower()  # the browser drops it
    assert SESSION_COOKIE not in api.cookies


def test_the_cookie_is_re_issued_at_most_once_a_minute(api: TestClient, clock: FixedClock) -> None:
    start_session(api, "op1")
    clock.advance(timedelta(seconds=59))
    assert SESSION_COOKIE not in set_cookies(api.get("/api/v1/users/me"))
    clock.advance(timedelta(seconds=1))
    assert SESSION_COOKIE in set_cookies(api.get("/api/v1/users/me"))
    assert SESSION_COOKIE not in set_cookies(api.get("/api/v1/users/me"))


def test_an_old_copy_of_the_cookie_still_ends_after_the_idle_time(
    api: TestClient, org: Platform, clock: FixedClock
) -> None:
    """The last-seen time is signed: a copy taken earlier cannot be kept alive by the live one."""
    start_session(api, "op1")
    old = api.cookies[SESSION_COOKIE]
    idle = timedelta(minutes=org.settings.session_idle_minutes)
    clock.advance(idle - timedelta(minutes=1))
    assert api.get("/api/v1/users/me").status_code == 200
    clock.advance(timedelta(minutes=1))
    assert api.get("/api/v1/users/me").status_code == 200  # the live cookie slid
    replay = api.get("/api/v1/users/me", headers=only_cookie(old))
    assert replay.status_code == 401


def test_a_tampered_last_seen_time_is_not_a_session(api: TestClient, clock: FixedClock) -> None:
    start_session(api, "op1")
    token, seen, mac = api.cookies[SESSION_COOKIE].split("~")
    forged = f"{token}~{int(seen) + 3600}~{mac}"
    api.cookies.clear()
    assert api.get("/api/v1/users/me", headers=only_cookie(forged)).status_code == 401


def test_sign_out_clears_the_cookie_and_revokes_its_token(api: TestClient) -> None:
    start_session(api, "op1")
    kept = api.cookies[SESSION_COOKIE]
    refused = api.post("/api/v1/auth/logout")  # a write: the CSRF header is needed
    assert refused.status_code == 403
    res = api.post("/api/v1/auth/logout", headers=csrf(api))
    assert res.status_code == 204
    assert "max-age=0" in set_cookies(res)[SESSION_COOKIE].lower()
    assert SESSION_COOKIE not in api.cookies
    replay = api.get("/api/v1/users/me", headers=only_cookie(kept))
    assert replay.status_code == 401
    assert replay.json()["error"]["code"] == "token_revoked"
    assert "max-age=0" in set_cookies(replay)[SESSION_COOKIE].lower()


def test_signing_out_everywhere_ends_the_cookie_session_too(
    api: TestClient, sign_in: SignIn
) -> None:
    start_session(api, "op1")
    bearer = sign_in("op1")
    res = api.post("/api/v1/auth/logout?everywhere=true", headers=bearer)
    assert res.status_code == 204
    assert api.get("/api/v1/users/me").status_code == 401


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        ("/cases/7?tab=history", "/cases/7?tab=history"),
        ("/console/hotline", "/console/hotline"),
        ("//evil.example/x", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("javascript:alert(1)", "/"),
        ("evil.example", "/"),
        ("", "/"),
    ],
)
def test_after_sign_in_only_a_path_on_this_site_is_followed(
    api: TestClient, asked: str, given: str
) -> None:
    assert start_session(api, "op1", next=asked)["next"] == given
    page = api.get("/login", params={"next": asked}, follow_redirects=False)
    assert page.status_code == 303  # signed in already: straight on
    assert page.headers["location"] == given


@pytest.mark.parametrize(
    "path",
    ["/", "/cases", "/cases/new", "/cases/5", "/console/hotline", "/console/citizen", "/map"],
)
def test_console_pages_without_a_session_redirect_to_login_with_next(
    api: TestClient, path: str
) -> None:
    res = api.get(path, params={"q": "a b"}, follow_redirects=False)
    assert res.status_code == 303
    assert res.headers["location"].startswith("/login?next=")
    login = api.get(res.headers["location"])
    assert login.status_code == 200
    start_session(api, "admin")
    assert api.get(path, follow_redirects=False).status_code == 200


def test_the_redirect_keeps_the_page_and_its_query(api: TestClient) -> None:
    res = api.get("/cases/5?tab=x&y=1", follow_redirects=False)
    assert res.headers["location"] == "/login?next=%2Fcases%2F5%3Ftab%3Dx%26y%3D1"


def test_a_signed_out_session_sends_pages_to_login(api: TestClient) -> None:
    start_session(api, "op1")
    kept = api.cookies[SESSION_COOKIE]
    assert api.post("/api/v1/auth/logout", headers=csrf(api)).status_code == 204
    res = api.get("/cases", headers=only_cookie(kept), follow_redirects=False)
    assert res.status_code == 303
    assert "max-age=0" in set_cookies(res)[SESSION_COOKIE].lower()


@pytest.mark.parametrize("path", ["/portal", "/portal/track", "/portal/board", "/login"])
def test_portal_and_login_pages_need_no_session(api: TestClient, path: str) -> None:
    assert api.get(path, follow_redirects=False).status_code == 200


def test_over_https_the_cookies_are_secure(org: Platform) -> None:
    from cityops.web.app import create_app

    with TestClient(create_app(org), base_url="https://testserver") as secure:
        res = secure.post("/api/v1/auth/session", data={"username": "op1", "password": PASSWORD})
        assert res.status_code == 200
        cookies = set_cookies(res)
        assert "; Secure" in cookies[SESSION_COOKIE]
        assert "; Secure" in cookies[CSRF_COOKIE]
        assert secure.get("/api/v1/users/me").status_code == 200


def test_background_requests_do_not_keep_the_session_alive(
    api: TestClient, org: Platform, clock: FixedClock
) -> None:
    """A page's own poll (X-Cityops-Background) is answered but is not activity."""
    start_session(api, "op1")
    idle = timedelta(minutes=org.settings.session_idle_minutes)
    poll = {"X-Cityops-Background": "1"}
    for _ in range(3):
        clock.advance((idle - timedelta(minutes=1)) / 3)
        res = api.get("/api/v1/users/me", headers=poll)
        assert res.status_code == 200
        assert SESSION_COOKIE not in set_cookies(res)
    clock.advance(timedelta(minutes=1))
    assert api.get("/api/v1/users/me", headers=poll).status_code == 401
