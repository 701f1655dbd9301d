"""`cityops users add/list` against the database named by CITYOPS_DATABASE_URL."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from cityops.cli import app as cli

from .conftest import SignIn

Run = Callable[..., tuple[int, str]]


@pytest.fixture
def run(db_url: str, api: TestClient) -> Run:
    """run(*args) -> (exit code, output with whitespace collapsed), over the test database."""
    runner = CliRunner()

    def _run(*args: str) -> tuple[int, str]:
        result = runner.invoke(cli, list(args), env={"CITYOPS_DATABASE_URL": db_url})
        return result.exit_code, " ".join(result.output.split())

    return _run


def test_users_add_creates_a_user_who_can_sign_in(
    run: Run, api: TestClient, sign_in: SignIn
) -> None:
    code, out = run(
        "users", "add", "wl2", "--role", "leader", "--role", "dispatcher",
        "--password", "street-lead-1", "--department", "JD-WL", "--name", "街道领导",
    )  # fmt: skip
    assert code == 0, out
    assert "created user wl2" in out
    me = api.get("/api/v1/users/me", headers=sign_in("wl2", "street-lead-1")).json()
    assert me["roles"] == ["dispatcher", "leader"]
    assert me["department_code"] == "JD-WL"
    assert me["display_name"] == "街道领导"

    code, out = run("users", "list")
    assert code == 0
    assert "wl2" in out
    assert "JD-WL" in out


def test_users_add_with_an_area(run: Run, api: TestClient, sign_in: SignIn) -> None:
    code, out = run(
        "users", "add", "insp2", "--role", "inspector", "--password", "grid-walker",
        "--area", "330103001002", "--area", "330103001003",
    )  # fmt: skip
    assert code == 0, out
    me = api.get("/api/v1/users/me", headers=sign_in("insp2", "grid-walker")).json()
    assert me["area_codes"] == ["330103001002", "330103001003"]


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--role", "janitor", "--password", "long-enough"), "unknown role 'janitor'"),
        (("--role", "operator", "--password", "short"), "password is too short"),
        (("--role", "handler", "--password", "long-enough", "--department", "X"), "unknown"),
        (
            ("--role", "inspector", "--password", "long-enough", "--area", "999999"),
            "unknown area '999999'",
        ),
    ],
)
def test_users_add_errors_exit_1_with_a_message(
    run: Run, args: tuple[str, ...], expected: str
) -> None:
    code, out = run("users", "add", "someone", *args)
    assert code == 1
    assert expected in out
    if "janitor" in args:
        assert "valid roles: operator, dispatcher" in out


def test_users_add_refuses_a_taken_username(run: Run) -> None:
    code, out = run("users", "add", "admin", "--role", "admin", "--password", "long-enough")
    assert code == 1
    assert "already exists" in out


def test_users_token_prints_a_working_api_token(run: Run, api: TestClient) -> None:
    code, out = run("users", "token", "op1", "--name", "hotline bridge")
    assert code == 0, out
    secret = next(word for word in out.split() if word.startswith("cok_"))
    me = api.get("/api/v1/users/me", headers={"Authorization": f"Bearer {secret}"})
    assert me.json()["username"] == "op1"
