"""web.session, pure parts: the session cookie's value (signed last-seen time, idle limit), the
CSRF value and the same-site check of `next`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from cityops.web.session import SessionCodec, cookie_header, same_site_path

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)
IDLE = timedelta(minutes=30)
TOKEN = "header.claims.signature"


def test_a_packed_cookie_reads_back_until_it_has_been_idle_too_long() -> None:
    codec = SessionCodec("s" * 40, IDLE)
    value = codec.pack(TOKEN, NOW)
    session, idle = codec.read(value, NOW + IDLE - timedelta(seconds=1))
    assert session is not None
    assert (session.token, session.seen, idle) == (TOKEN, NOW, False)
    assert codec.read(value, NOW + IDLE) == (None, True)


@pytest.mark.parametrize(
    "forge",
    [
        lambda v: v.replace("~", "~1", 1),  # another last-seen time
        lambda v: "x" + v,  # another token
        lambda v: v[:-2] + "AA",  # another mac
        lambda v: v.rsplit("~", 1)[0],  # no mac
        lambda v: "",
        lambda v: "~~",
    ],
)
def test_a_changed_cookie_is_no_session_and_not_idle(forge: object) -> None:
    codec = SessionCodec("s" * 40, IDLE)
    value = codec.pack(TOKEN, NOW)
    assert codec.read(forge(value), NOW) == (None, False)  # type: ignore[operator]


def test_another_secret_reads_no_session() -> None:
    value = SessionCodec("s" * 40, IDLE).pack(TOKEN, NOW)
    assert SessionCodec("t" * 40, IDLE).read(value, NOW) == (None, False)


def test_the_csrf_value_belongs_to_one_token() -> None:
    codec = SessionCodec("s" * 40, IDLE)
    csrf = codec.csrf_for(TOKEN)
    assert codec.csrf_matches(TOKEN, csrf)
    assert not codec.csrf_matches(TOKEN + "x", csrf)
    assert not codec.csrf_matches(TOKEN, None)
    assert not codec.csrf_matches(TOKEN, "")
    assert csrf not in codec.pack(TOKEN, NOW)


def test_cookie_header_flags() -> None:
    assert cookie_header("a", "b", http_only=True, secure=True) == (
        "a=b; Path=/; SameSite=Lax; HttpOnly; Secure"
    )
    cleared = cookie_header("a", "", http_only=False, secure=False, max_age=0)
    assert cleared == "a=; Path=/; SameSite=Lax; Max-Age=0; Expires=Thu, 01 Jan 1970 00:00:00 GMT"


@pytest.mark.parametrize(
    ("asked", "given"),
    [
        ("/cases/7?tab=history#x", "/cases/7?tab=history#x"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("cases", "/"),
        ("//evil.example", "/"),
        ("///evil.example", "/"),
        ("/\\evil.example", "/"),
        ("/cases\\..\\x", "/"),
        ("https://evil.example/", "/"),
        ("javascript:alert(1)", "/"),
        ("/login\r\nSet-Cookie: x=1", "/"),
        ("  //evil.example", "/"),
    ],
)
def test_next_is_followed_only_to_a_path_on_this_site(asked: str | None, given: str) -> None:
    assert same_site_path(asked) == given
