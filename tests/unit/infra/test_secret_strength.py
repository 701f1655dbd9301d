"""The rule a CITYOPS_SECRET_KEY must pass wherever the platform serves outside development: at
least 32 characters, no placeholder, and about 128 bits or more estimated from its characters
(few distinct characters, or a short piece repeated, count for little)."""

from __future__ import annotations

import secrets
from collections.abc import Callable

import pytest

from cityops.infra.secret_key import (
    DEV_SECRET,
    HOW_TO_MAKE,
    estimated_bits,
    secret_key_problem,
)


@pytest.mark.parametrize(
    "secret",
    [
        "Vq7-LrT2xN9_bWm4ZcK8pHs3YdJ6gFe1",  # 32 distinct characters
        "correct horse battery staple, then a river in the fog",  # a long passphrase
    ],
)
def test_strong_secrets_pass(secret: str) -> None:
    assert secret_key_problem(secret) is None


# generated in the test, not at collection: parallel workers must collect the same test ids
@pytest.mark.parametrize(
    "make",
    [
        lambda: secrets.token_urlsafe(48),  # what the error message says to run
        lambda: secrets.token_urlsafe(32),
        lambda: secrets.token_hex(32),
    ],
    ids=["token_urlsafe(48)", "token_urlsafe(32)", "token_hex(32)"],
)
def test_generated_secrets_pass_every_time(make: Callable[[], str]) -> None:
    assert [secret_key_problem(make()) for _ in range(200)] == [None] * 200


@pytest.mark.parametrize(
    ("secret", "why"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("aaaaaaaaaaaaaaaa", "16 characters"),
        ("s3cr3t-from-the-vault", "21 characters"),
        (DEV_SECRET, "the built-in development secret"),
        ("secret", "a placeholder"),
        ("change-me", "a placeholder"),
        ("please-CHANGE_ME-before-going-live-2026", "a placeholder"),
        ("your-secret-key-here-xxxxxxxxxxxxxxxxx", "a placeholder"),
        ("a" * 48, "too predictable"),
        ("ab" * 24, "too predictable"),
        ("Passw0rd!" * 5, "too predictable"),  # a short piece repeated
        ("0123456789abcdef" * 2, "too predictable"),
        ("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", "too predictable"),
    ],
)
def test_weak_secrets_are_refused_with_the_reason_and_the_remedy(secret: str, why: str) -> None:
    problem = secret_key_problem(secret)
    assert problem is not None
    assert why in problem
    assert HOW_TO_MAKE in problem


def test_the_remedy_makes_a_secret_that_passes() -> None:
    assert HOW_TO_MAKE == 'python -c "import secrets; print(secrets.token_urlsafe(48))"'


def test_the_estimate_counts_distinct_characters_and_repetition() -> None:
    assert estimated_bits("a" * 64) == 0
    assert estimated_bits("ab" * 32) == pytest.approx(2)  # one "ab": 2 characters of 1 bit
    assert estimated_bits("0123456789abcdef") == pytest.approx(64)  # 16 × log2(16)
    assert estimated_bits("0123456789abcdef" * 4) == pytest.approx(64)
    assert estimated_bits(secrets.token_urlsafe(48)) >= 256
