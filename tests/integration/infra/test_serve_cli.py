"""`cityops serve` in each mode, with uvicorn replaced by a recorder: dev and demo say so (naming
CITYOPS_ENV and CITYOPS_SECRET_KEY) before serving; prod and test without a strong secret do not
start; forwarded headers are trusted only from CITYOPS_TRUSTED_PROXIES."""

from __future__ import annotations

import secrets
from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from cityops.cli import app

STRONG = secrets.token_urlsafe(48)
HOW_TO_MAKE = 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: calls.append(kw))
    for name in ("CITYOPS_ENV", "CITYOPS_SECRET_KEY", "CITYOPS_TRUSTED_PROXIES"):
        monkeypatch.delenv(name, raising=False)
    return calls


def _serve(env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, ["serve", "--port", "8765"], env=env)


def _text(result: Any) -> str:
    return " ".join(result.output.split())  # the console wraps long lines


@pytest.mark.parametrize("env", [{}, {"CITYOPS_ENV": "dev"}, {"CITYOPS_ENV": "demo"}])
def test_development_modes_warn_before_serving(
    started: list[dict[str, Any]], env: dict[str, str]
) -> None:
    result = _serve(env)
    assert result.exit_code == 0, result.output
    output = _text(result)
    assert f"warning: CITYOPS_ENV={env.get('CITYOPS_ENV', 'dev')}: development mode" in output
    assert "development secret (CITYOPS_SECRET_KEY is not set)" in output
    assert [call["port"] for call in started] == [8765]


@pytest.mark.parametrize("secret", [None, "", "short", "aaaaaaaaaaaaaaaa", "a" * 48])
def test_prod_without_a_strong_secret_does_not_start(
    started: list[dict[str, Any]], secret: str | None
) -> None:
    env = {"CITYOPS_ENV": "prod"}
    if secret is not None:
        env["CITYOPS_SECRET_KEY"] = secret
    result = _serve(env)
    assert result.exit_code == 1
    assert "CITYOPS_ENV=prod needs a strong CITYOPS_SECRET_KEY" in _text(result)
    assert HOW_TO_MAKE in _text(result)
    assert "Traceback" not in result.output
    assert started == []


@pytest.mark.parametrize("secret", [None, "aaaaaaaaaaaaaaaa", "a" * 48])
def test_the_test_mode_does_not_serve_without_a_strong_secret(
    started: list[dict[str, Any]], secret: str | None
) -> None:
    env = {"CITYOPS_ENV": "test"}
    if secret is not None:
        env["CITYOPS_SECRET_KEY"] = secret
    result = _serve(env)
    assert result.exit_code == 1
    assert "CITYOPS_ENV=test serves only with a strong CITYOPS_SECRET_KEY" in _text(result)
    assert HOW_TO_MAKE in _text(result)
    assert "Traceback" not in result.output
    assert started == []


@pytest.mark.parametrize("mode", ["prod", "test"])
def test_a_strong_secret_serves_without_a_warning(started: list[dict[str, Any]], mode: str) -> None:
    result = _serve({"CITYOPS_ENV": mode, "CITYOPS_SECRET_KEY": STRONG})
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert len(started) == 1


def test_forwarded_headers_are_trusted_from_nobody_by_default(
    started: list[dict[str, Any]],
) -> None:
    result = _serve({"FORWARDED_ALLOW_IPS": "*"})  # uvicorn's own variable changes nothing
    assert result.exit_code == 0, result.output
    [call] = started
    assert call["proxy_headers"] is False
    assert call["forwarded_allow_ips"] == []


def test_forwarded_headers_are_trusted_from_the_configured_proxies(
    started: list[dict[str, Any]],
) -> None:
    result = _serve({"CITYOPS_TRUSTED_PROXIES": "127.0.0.1, 10.0.0.0/8 ::1"})
    assert result.exit_code == 0, result.output
    [call] = started
    assert call["proxy_headers"] is True
    assert call["forwarded_allow_ips"] == ["127.0.0.1/32", "10.0.0.0/8", "::1/128"]


def test_a_proxy_that_is_not_an_address_is_refused(started: list[dict[str, Any]]) -> None:
    result = _serve({"CITYOPS_TRUSTED_PROXIES": "proxy.example.org"})
    assert result.exit_code == 1
    assert "CITYOPS_TRUSTED_PROXIES" in _text(result)
    assert "Traceback" not in result.output
    assert started == []


@pytest.mark.parametrize("mode", ["test", "prod"])
def test_the_uvicorn_factory_refuses_a_weak_secret_too(
    monkeypatch: pytest.MonkeyPatch, mode: str
) -> None:
    """`uvicorn cityops.web.server:app --factory` without the CLI: the same rule, before any
    database is opened."""
    from cityops.web import server

    monkeypatch.setenv("CITYOPS_ENV", mode)
    monkeypatch.setenv("CITYOPS_SECRET_KEY", "a" * 48)
    monkeypatch.setenv("CITYOPS_DATABASE_URL", "sqlite:////nonexistent/dir/never-opened.db")
    with pytest.raises((RuntimeError, ValueError), match="strong CITYOPS_SECRET_KEY"):
        server.app()
