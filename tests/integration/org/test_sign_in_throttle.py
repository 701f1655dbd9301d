"""Sign-in throttling over HTTP: a wrong-password storm is answered 429 with a Retry-After that
grows, without locking the real user out from another address; password checks run on a
bounded pool, so a storm of them never holds up other requests."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
import pytest
from fastapi.testclient import TestClient
from live_server import serve

from cityops.app import Platform
from cityops.infra.settings import Settings
from cityops.kernel.clock import FixedClock
from cityops.web.app import create_app

from .conftest import PASSWORD

ATTACKER = ("203.0.113.9", 40000)
HELD_SECONDS = 60  # how long a held password check waits for its release at most
REAL_USER = ("198.51.100.7", 40001)

From = Callable[[tuple[str, int]], TestClient]


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """One password check at a time and one waiting: the pool's bound is easy to reach."""
    return settings.model_copy(update={"password_check_workers": 1, "password_check_queue": 1})


@pytest.fixture
def at(org: Platform) -> Iterator[From]:
    """A client calling from a given address (the ASGI scope's client)."""
    app = create_app(org)
    made: list[TestClient] = []

    def client(address: tuple[str, int]) -> TestClient:
        made.append(TestClient(app, client=address))
        return made[-1]

    yield client
    for c in made:
        c.close()


def sign_in(client: TestClient, username: str, password: str) -> httpx.Response:
    return client.post("/api/v1/auth/token", data={"username": username, "password": password})


def test_a_wrong_password_storm_waits_longer_after_each_failure(
    at: From, clock: FixedClock
) -> None:
    attacker = at(ATTACKER)
    statuses = [sign_in(attacker, "op1", f"guess-{n}").status_code for n in range(50)]
    # three guesses are checked; the other 47 are refused unchecked, at once
    assert statuses == [401] * 3 + [429] * 47
    waits = []
    for _ in range(4):
        res = sign_in(attacker, "op1", "another-guess")
        assert res.status_code == 429
        assert res.json()["error"]["code"] == "too_many_attempts"
        wait = int(res.headers["Retry-After"])
        assert res.json()["error"]["details"]["retry_after"] == wait
        in_words = "1 second" if wait == 1 else f"{wait} seconds"
        assert res.json()["error"]["message"].endswith(f"try again in {in_words}")
        waits.append(wait)
        clock.advance(timedelta(seconds=wait))
        assert sign_in(attacker, "op1", "another-guess").status_code == 401
    assert waits == [1, 2, 4, 8]
    # even the right password waits its turn from that address
    assert sign_in(attacker, "op1", PASSWORD).status_code == 429


def test_the_real_user_signs_in_from_another_address_during_the_storm(
    at: From, clock: FixedClock
) -> None:
    attacker, user = at(ATTACKER), at(REAL_USER)
    failures = 0
    while failures < 8:  # a long storm: each time the wait is over, another wrong guess
        res = sign_in(attacker, "op1", "guess")
        if res.status_code == 429:
            clock.advance(timedelta(seconds=int(res.headers["Retry-After"])))
        else:
            assert res.status_code == 401
            failures += 1
    assert sign_in(attacker, "op1", "guess").status_code == 429
    # the owner mistypes once, then gets in while the attacker still waits
    assert sign_in(user, "op1", PASSWORD + "x").status_code == 401
    res = sign_in(user, "op1", PASSWORD)
    assert res.status_code == 200, res.text
    signed_in = {"Authorization": f"Bearer {res.json()['access_token']}"}
    assert user.get("/api/v1/users/me", headers=signed_in).json()["username"] == "op1"
    assert sign_in(attacker, "op1", "guess").status_code == 429


def test_guessing_across_accounts_from_one_address_waits_too(at: From) -> None:
    sprayer, other = at(ATTACKER), at(REAL_USER)
    names = [f"user{n}" for n in range(25)]
    statuses = [sign_in(sprayer, name, "Summer2026!").status_code for name in names]
    assert statuses == [401] * 20 + [429] * 5  # free_address_failures = 20
    assert sign_in(other, "hd1", PASSWORD).status_code == 200


def test_password_checks_beyond_the_pool_are_refused_at_once_and_reads_go_on(
    org: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """60 sign-ins at once, each password check held until released: one runs, one waits, the
    other 58 are answered 503 at once (not queued on the server's worker threads, which would
    leave none for other requests), and a signed-in read answers meanwhile."""
    gate = threading.Event()
    checking = threading.Semaphore(0)

    def held_verify(password_hash: str | None, password: str) -> bool:
        checking.release()
        gate.wait(timeout=HELD_SECONDS)
        return False

    with serve(org) as base, httpx.Client(base_url=base, timeout=HELD_SECONDS) as http:
        form = {"username": "hd1", "password": PASSWORD}
        token = http.post("/api/v1/auth/token", data=form).json()["access_token"]
        me = {"Authorization": f"Bearer {token}"}
        monkeypatch.setattr(org.org.password_checks.passwords, "verify", held_verify)

        def attempt(n: int) -> tuple[int, float, str | None]:
            started = time.monotonic()
            res = http.post("/api/v1/auth/token", data={"username": "op1", "password": f"x{n}"})
            return res.status_code, time.monotonic() - started, res.headers.get("Retry-After")

        with ThreadPoolExecutor(max_workers=60) as pool:
            storm = [pool.submit(attempt, n) for n in range(60)]
            assert checking.acquire(timeout=10)  # a check is running
            deadline = time.monotonic() + 20
            while sum(f.done() for f in storm) < 58 and time.monotonic() < deadline:
                time.sleep(0.05)
            refused = [f.result() for f in storm if f.done()]
            started = time.monotonic()
            read = http.get("/api/v1/users/me", headers=me)
            read_seconds = time.monotonic() - started
            gate.set()
            results = [f.result(timeout=HELD_SECONDS) for f in storm]

    assert read.status_code == 200
    assert read_seconds < HELD_SECONDS / 4  # it did not wait for the held checks
    assert len(refused) == 58
    assert all(status == 503 and after == "1" for status, _s, after in refused)
    assert max(seconds for _st, seconds, _a in refused) < HELD_SECONDS / 4
    assert sorted(status for status, _s, _a in results) == [401, 401] + [503] * 58
