"""No default secret outside development: production refuses to start with it (or with a blank
or short one); the development modes say what they are."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from cityops.infra.settings import DEV_SECRET, Settings


def test_prod_refuses_the_default_secret() -> None:
    with pytest.raises(ValidationError, match="CITYOPS_SECRET_KEY"):
        Settings(env="prod", secret_key=DEV_SECRET)


def test_prod_refuses_the_default_secret_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CITYOPS_ENV", "prod")
    monkeypatch.delenv("CITYOPS_SECRET_KEY", raising=False)
    with pytest.raises(ValidationError, match="CITYOPS_SECRET_KEY"):
        Settings()


@pytest.mark.parametrize("env", ["dev", "demo", "test"])
def test_development_modes_may_use_the_default_secret(env: str) -> None:
    assert Settings(env=env, secret_key=DEV_SECRET).secret_key == DEV_SECRET  # type: ignore[arg-type]


def test_prod_accepts_a_real_secret() -> None:
    assert Settings(env="prod", secret_key="s3cr3t-from-the-vault").env == "prod"


@pytest.mark.parametrize("secret", ["", "   ", "short-secret"])
def test_prod_refuses_a_blank_or_short_secret(secret: str) -> None:
    with pytest.raises(ValidationError, match="at least 16 characters"):
        Settings(env="prod", secret_key=secret)


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
    settings = Settings(env=env, secret_key="s3cr3t-from-the-vault")  # type: ignore[arg-type]
    assert settings.development_warning() is None
