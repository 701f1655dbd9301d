"""No default secret outside development: production refuses to start with it."""

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
