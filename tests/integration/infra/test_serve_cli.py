"""`cityops serve` in each mode, with uvicorn replaced by a recorder: dev and demo say so (naming
CITYOPS_ENV and CITYOPS_SECRET_KEY) before serving; prod without a real secret does not start."""

from __future__ import annotations

from typing import Any

import pytest
import uvicorn
from typer.testing import CliRunner

from cityops.cli import app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, Any]]:
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kw: calls.append(kw))
    for name in ("CITYOPS_ENV", "CITYOPS_SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    return calls


def _serve(env: dict[str, str]) -> Any:
    return CliRunner().invoke(app, ["serve", "--port", "8765"], env=env)


@pytest.mark.parametrize("env", [{}, {"CITYOPS_ENV": "dev"}, {"CITYOPS_ENV": "demo"}])
def test_development_modes_warn_before_serving(
    started: list[dict[str, Any]], env: dict[str, str]
) -> None:
    result = _serve(env)
    assert result.exit_code == 0, result.output
    output = " ".join(result.output.split())  # the console wraps long lines
    assert f"warning: CITYOPS_ENV={env.get('CITYOPS_ENV', 'dev')}: development mode" in output
    assert "development secret (CITYOPS_SECRET_KEY is not set)" in output
    assert [call["port"] for call in started] == [8765]


@pytest.mark.parametrize("secret", [None, "", "short"])
def test_prod_without_a_real_secret_does_not_start(
    started: list[dict[str, Any]], secret: str | None
) -> None:
    env = {"CITYOPS_ENV": "prod"}
    if secret is not None:
        env["CITYOPS_SECRET_KEY"] = secret
    result = _serve(env)
    assert result.exit_code == 1
    assert "CITYOPS_SECRET_KEY must be set to a real secret" in " ".join(result.output.split())
    assert "Traceback" not in result.output
    assert started == []


def test_prod_with_a_secret_serves_without_a_warning(started: list[dict[str, Any]]) -> None:
    result = _serve({"CITYOPS_ENV": "prod", "CITYOPS_SECRET_KEY": "a" * 48})
    assert result.exit_code == 0, result.output
    assert "warning" not in result.output
    assert len(started) == 1
