"""The console's session cookie against a bearer token → bench/results/session_cookie.json

    .venv/bin/python -m bench.session_cookie [--requests 2000] [--rounds 5]

The idle timeout slides without a database write: the last-seen time travels in the signed
cookie (web.session), re-issued at most once a minute. What that costs, in process (FastAPI's
TestClient over a SQLite file, GET /api/v1/users/me, which reads the token's standing in the
database as every request does):
  - `codec`: reading (HMAC check) and packing the cookie value alone, µs;
  - `bearer`: the request with `Authorization: Bearer`;
  - `cookie`: the same token in the session cookie, not yet due for re-issue (the steady state
    inside a minute);
  - `cookie_reissued`: the clock moved a minute before every request, so each answer carries a
    fresh Set-Cookie (the worst case; a real session pays it once a minute).
  - `middleware_us`: the SessionCookies middleware alone around an app that only answers.
The three request kinds run alternately, `--rounds` rounds of `--requests` each; reported per
kind: the median over rounds of the mean µs per request.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from starlette.types import Message, Receive, Scope, Send

from bench._server import RESULTS, machine
from cityops.app import build_platform
from cityops.infra.settings import Settings
from cityops.kernel.actor import SYSTEM
from cityops.kernel.clock import FixedClock
from cityops.org.public import NewUser
from cityops.web.app import create_app
from cityops.web.session import SESSION_COOKIE, SessionCodec, SessionCookies

PASSWORD = "bench-Secret-2026"


def time_codec(n: int) -> dict[str, float]:
    codec = SessionCodec("x" * 48, timedelta(minutes=30))
    now = datetime(2026, 12, 7, tzinfo=UTC)
    value = codec.pack("a" * 220, now)  # about the length of a signed access token
    start = time.perf_counter()
    for _ in range(n):
        codec.read(value, now)
    read_us = (time.perf_counter() - start) / n * 1e6
    start = time.perf_counter()
    for _ in range(n):
        codec.pack("a" * 220, now)
    pack_us = (time.perf_counter() - start) / n * 1e6
    return {"read_us": round(read_us, 2), "pack_us": round(pack_us, 2)}


def time_middleware(n: int) -> dict[str, float]:
    """The SessionCookies middleware around an app that only answers 200: µs per request
    without a cookie, with a valid one not due for re-issue, and with one re-issued."""
    now = datetime(2026, 12, 7, tzinfo=UTC)
    codec = SessionCodec("x" * 48, timedelta(minutes=30))

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> Message:
        return {"type": "http.request", "body": b""}

    async def send(message: Message) -> None:
        return None

    middleware = SessionCookies(app, codec=codec, now=lambda: now, prod=False)
    fresh = codec.pack("a" * 220, now).encode()
    stale = codec.pack("a" * 220, now - timedelta(minutes=2)).encode()
    cases = {"none": [], "cookie": [(b"cookie", SESSION_COOKIE.encode() + b"=" + fresh)]}
    cases["cookie_reissued"] = [(b"cookie", SESSION_COOKIE.encode() + b"=" + stale)]

    async def loop(headers: list[tuple[bytes, bytes]]) -> float:
        start = time.perf_counter()
        for _ in range(n):
            scope = {"type": "http", "method": "GET", "headers": headers, "scheme": "http"}
            await middleware(scope, receive, send)
        return (time.perf_counter() - start) / n * 1e6

    async def all_cases() -> dict[str, float]:
        return {name: round(await loop(headers), 2) for name, headers in cases.items()}

    return asyncio.run(all_cases())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            env="test",
            database_url=f"sqlite:///{Path(tmp) / 'bench.db'}",
            token_ttl_minutes=7 * 24 * 60,  # outlives the minutes the re-issue rounds move on
        )
        t0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
        clock = FixedClock(t0)
        platform = build_platform(settings, clock=clock)
        with platform.uow() as uow:
            platform.org.create_user(uow, SYSTEM, NewUser("bench", PASSWORD, ("operator",)))
        with TestClient(create_app(platform)) as client:
            res = client.post(
                "/api/v1/auth/token", data={"username": "bench", "password": PASSWORD}
            )
            bearer = {"Authorization": f"Bearer {res.json()['access_token']}"}
            res = client.post(
                "/api/v1/auth/session", data={"username": "bench", "password": PASSWORD}
            )
            assert res.status_code == 200, res.text

            def run(kind: str) -> float:
                # the cookie sent as a header, not from the client's jar: the client does the
                # same work for each kind
                original = client.cookies[SESSION_COOKIE]
                client.cookies.clear()
                headers = bearer if kind == "bearer" else {"Cookie": f"{SESSION_COOKIE}={original}"}
                reissued = 0
                start = time.perf_counter()
                for _ in range(args.requests):
                    if kind == "cookie_reissued":
                        clock.advance(timedelta(minutes=1))
                    answer = client.get("/api/v1/users/me", headers=headers)
                    if SESSION_COOKIE in answer.cookies:
                        reissued += 1
                        fresh = answer.cookies[SESSION_COOKIE]
                        headers = {"Cookie": f"{SESSION_COOKIE}={fresh}"}
                    client.cookies.clear()
                    assert answer.status_code == 200
                elapsed = time.perf_counter() - start
                client.cookies.set(SESSION_COOKIE, original)
                if kind == "cookie_reissued":
                    assert reissued == args.requests
                    clock.set(t0)  # back to when the session's cookie was last seen
                elif kind == "cookie":
                    assert reissued == 0
                return elapsed / args.requests * 1e6

            kinds = ["bearer", "cookie", "cookie_reissued"]
            for kind in kinds:  # warm up
                run(kind)
            rounds: dict[str, list[float]] = {k: [] for k in kinds}
            for _ in range(args.rounds):
                for kind in kinds:
                    rounds[kind].append(run(kind))
        platform.close()
    result = {
        "benchmark": "session_cookie",
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "requests_per_round": args.requests,
        "rounds": args.rounds,
        "codec": time_codec(20_000),
        "middleware_us": time_middleware(20_000),
        "request_us_median": {k: round(statistics.median(v), 1) for k, v in rounds.items()},
        "request_us_rounds": {k: [round(x, 1) for x in v] for k, v in rounds.items()},
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "session_cookie.json").write_text(json.dumps(result, indent=2) + "\n", "utf-8")
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
