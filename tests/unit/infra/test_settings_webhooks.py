"""CITYOPS_WEBHOOK_ALLOW_NETWORKS: the networks webhooks may reach beside public addresses."""

from __future__ import annotations

from ipaddress import IPv4Network, IPv6Network

import pytest
from pydantic import ValidationError

from cityops.infra.settings import Settings


@pytest.mark.parametrize(
    ("written", "networks"),
    [
        ("", ()),
        ("127.0.0.1/32", (IPv4Network("127.0.0.1/32"),)),
        (
            "10.1.2.3/24, ::1/128",  # host bits are dropped
            (IPv4Network("10.1.2.0/24"), IPv6Network("::1/128")),
        ),
        ('["192.168.0.0/16"]', (IPv4Network("192.168.0.0/16"),)),
    ],
)
def test_allow_networks_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch, written: str, networks: tuple[object, ...]
) -> None:
    monkeypatch.setenv("CITYOPS_WEBHOOK_ALLOW_NETWORKS", written)
    assert Settings().webhook_allow_networks == networks


def test_none_is_allowed_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CITYOPS_WEBHOOK_ALLOW_NETWORKS", raising=False)
    assert Settings().webhook_allow_networks == ()


def test_a_network_that_is_none_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CITYOPS_WEBHOOK_ALLOW_NETWORKS", "10.0.0.0/8, intranet")
    with pytest.raises(ValidationError, match="intranet"):
        Settings()
