"""No default or weak secret outside development: production refuses to start with one (the
rule of infra/secret_key.py), the test mode may hold the development secret for the test suite
but does not serve with it, and the development modes say what they are."""

from __future__ import annotations

import secrets

import pytest
from pydantic import ValidationError

from cityops.infra.settings import DEV_SECRET, Settings

STRONG = secrets.token_urlsafe(48)


def test_prod_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="the built-in development secret"):
        Settings(env="prod", secret_key=DEV_SECRET)


def test_prod_refuses_the_default_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITYOPS_ENV", "prod")
    monkeypatch.delenv("CITYOPS_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="CITYOPS_ENV=prod needs a strong CITYOPS_SECRET_KEY"):
        Settings()


@pytest.mark.parametrize("env", ["dev", "demo", "test"])
def test_development_and_test_modes_may_hold_the_default_secret(env: str) -> None:
    assert Settings(env=env, secret_key=DEV_SECRET).secret_key == DEV_SECRET  # type: ignore[arg-type]


def test_prod_accepts_a_strong_secret() -> None:
    assert Settings(env="prod", secret_key=STRONG).env == "prod"


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("short-secret", "fewer than 32"),
        ("aaaaaaaaaaaaaaaa", "fewer than 32"),
        ("s3cr3t-from-the-vault", "fewer than 32"),
        ("a" * 48, "too predictable"),
        ("change-me", "a placeholder"),
    ],
)
def test_prod_refuses_a_weak_secret(secret: str, why: str) -> None:
    with pytest.raises(ValidationError, match=why):
        Settings(env="prod", secret_key=secret)


@pytest.mark.parametrize(("env", "secret"), [("dev", DEV_SECRET), ("demo", DEV_SECRET)])
def test_development_modes_serve_with_any_secret(env: str, secret: str) -> None:
    assert Settings(env=env, secret_key=secret).serving_problem() is None  # type: ignore[arg-type]


@pytest.mark.parametrize("secret", [DEV_SECRET, "a" * 48, "s3cr3t-from-the-vault"])
def test_the_test_mode_does_not_serve_with_a_weak_secret(secret: str) -> None:
    problem = Settings(env="test", secret_key=secret).serving_problem()
    assert problem is not None
    assert problem.startswith("CITYOPS_ENV=test serves only with a strong CITYOPS_SECRET_KEY")
    assert "secrets.token_urlsafe(48)" in problem


@pytest.mark.parametrize("env", ["test", "prod"])
def test_a_strong_secret_serves_in_every_mode(env: str) -> None:
    assert Settings(env=env, secret_key=STRONG).serving_problem() is None  # type: ignore[arg-type]


@pytest.mark.parametrize("env", ["dev", "demo"])
def test_development_modes_warn_and_name_the_settings(env: str) -> None:
    warning = Settings(env=env, secret_key=DEV_SECRET).development_warning()  # type: ignore[arg-type]
    assert warning is not None
    assert f"CITYOPS_ENV={env}" in warning
    assert "development secret (CITYOPS_SECRET_KEY is not set)" in warning
    own = Settings(env=env, secret_key="x" * 40).development_warning()  # type: ignore[arg-type]
    assert own is not None
    assert "development secret" not in own


@pytest.mark.parametrize("env", ["test", "prod"])
def test_other_modes_do_not_warn(env: str) -> None:
    settings = Settings(env=env, secret_key=STRONG)  # type: ignore[arg-type]
    assert settings.development_warning() is None
