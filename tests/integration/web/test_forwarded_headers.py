"""Over a real `cityops serve` (a subprocess on a free port): the client address that the
allowances and the sign-in throttle count by is the connection's peer unless the peer is one of
CITYOPS_TRUSTED_PROXIES. By default nobody is trusted, so a process on the same host cannot
choose its rate-limit identity with X-Forwarded-For; with 127.0.0.1 configured the header is
honoured. SQLite only: what is tested is the HTTP edge, not a store."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
from live_server import free_port


@contextmanager
def cityops_serve(tmp_path: Path, template: Path, **env: str) -> Iterator[str]:
    """`cityops serve` over a copy of the migrated template database, with `env` set; yields
    the base URL once /healthz answers, stops the server on exit."""
    db = tmp_path / f"serve-{len(list(tmp_path.iterdir()))}.db"
    shutil.copy(template, db)
    port = free_port()
    log = db.with_suffix(".log")
    full_env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("CITYOPS_")},
        "CITYOPS_ENV": "demo",
        "CITYOPS_DATABASE_URL": f"sqlite:///{db}",
        "CITYOPS_ROUTER_MODEL_DIR": str(tmp_path / "no-model"),
        **env,
    }
    full_env.pop("FORWARDED_ALLOW_IPS", None)
    cityops = Path(sys.executable).with_name("cityops")
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [str(cityops), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=full_env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"cityops serve did not start:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


LIMITS = {"CITYOPS_PUBLIC_READS_PER_MINUTE": "1", "CITYOPS_LOGIN_FREE_FAILURES": "1"}


def _reads(base: str) -> list[int]:
    """Two public reads from this host, each claiming another client address."""
    with httpx.Client(base_url=base, timeout=10) as client:
        return [
            client.get("/api/v1/areas/levels", headers={"X-Forwarded-For": address}).status_code
            for address in ("203.0.113.7", "198.51.100.9")
        ]


def _sign_ins(base: str) -> list[int]:
    """Two wrong passwords on one account from this host, each claiming another address (on
    one connection: the second comes well within the 1 s wait after the first failure)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        return [
            client.post(
                "/api/v1/auth/token",
                data={"username": "nobody", "password": "wrong-password"},
                headers={"X-Forwarded-For": address},
            ).status_code
            for address in ("203.0.113.7", "198.51.100.9")
        ]


def test_by_default_x_forwarded_for_does_not_change_the_client(
    tmp_path: Path, sqlite_template: Path
) -> None:
    with cityops_serve(tmp_path, sqlite_template, **LIMITS) as base:
        assert _reads(base) == [200, 429]  # one identity, whatever the header says
        assert _sign_ins(base) == [401, 429]


def test_a_trusted_proxy_may_name_the_client(tmp_path: Path, sqlite_template: Path) -> None:
    with cityops_serve(
        tmp_path, sqlite_template, CITYOPS_TRUSTED_PROXIES="127.0.0.1", **LIMITS
    ) as base:
        assert _reads(base) == [200, 200]  # two clients behind the proxy, one read each
        assert _sign_ins(base) == [401, 401]
        # the proxy's own requests (no header) are its own client
        assert httpx.get(f"{base}/api/v1/areas/levels", timeout=10).status_code == 200


@pytest.mark.parametrize("proxies", ["10.0.0.0/8"])
def test_a_proxy_elsewhere_does_not_make_this_host_trusted(
    tmp_path: Path, sqlite_template: Path, proxies: str
) -> None:
    with cityops_serve(
        tmp_path, sqlite_template, CITYOPS_TRUSTED_PROXIES=proxies, **LIMITS
    ) as base:
        assert _reads(base) == [200, 429]
